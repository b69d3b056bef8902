"""Generate the XPlanung model table (geodata/xplan_model/xplan_<version>.json) from xplan-tools' schema modules.

XLeitstelle's `xplan-tools` (PyPI, EUPL-1.2) ships the XPlanung application schemas as generated
pydantic modules (`xplan_tools/model/appschema/xplan41.py`, `xplan54.py`, `xplan60.py`, `xplan61.py`).
This dev-time script reads them with `ast` (nothing is imported or copied) and writes, per version,
compact JSON data: feature classes (abstract flag, base chain, German display name, first sentence of
the description, own attributes) and enumerations (code → German label, code → token such as "WA").

Usage (the wheel or its unzipped directory)::

    /usr/bin/python3 -m pip download --no-deps xplan-tools==1.17.5 -d /tmp/xpt
    .venv/bin/python tools/xplan_model.py /tmp/xpt/xplan_tools-1.17.5-py3-none-any.whl

See docs/adr/0013-xplanung-model-table.md.
"""

import ast
import json
import re
import sys
import zipfile
from pathlib import Path

VERSIONS = {"4.1": "xplan41", "5.4": "xplan54", "6.0": "xplan60", "6.1": "xplan61"}
OUT = Path(__file__).resolve().parent.parent / "geodata" / "xplan_model"
PREFIXES = ("BP", "FP", "LP", "RP", "SO", "XP")

# ASCII spellings in XPlanung names -> German spelling; only stems checked against the names in the schemas.
UMLAUTS = (
    ("aenderung", "änderung"),
    ("ergaenz", "ergänz"),
    ("schraenkung", "schränkung"),
    ("schaetze", "schätze"),
    ("flaech", "fläch"),
    ("gebaeude", "gebäude"),
    ("gelaende", "gelände"),
    ("gewaesser", "gewässer"),
    ("zaesur", "zäsur"),
    ("laerm", "lärm"),
    ("praesentation", "präsentation"),
    ("staette", "stätte"),
    ("foerder", "förder"),
    ("hoehe", "höhe"),
    ("koerper", "körper"),
    ("schuettung", "schüttung"),
    ("begruen", "begrün"),
    ("gruen", "grün"),
    ("grundstueck", "grundstück"),
    ("natuerlich", "natürlich"),
    ("ueber", "über"),
    ("vergnuegung", "vergnügung"),
    ("strasse", "straße"),
    ("massnahme", "maßnahme"),
    ("oeffentlich", "öffentlich"),
    ("waerme", "wärme"),
    ("kueste", "küste"),
    ("laenge", "länge"),
    ("traeger", "träger"),
    ("gaerten", "gärten"),
    ("plaetze", "plätze"),
    ("haefen", "häfen"),
    ("boeschung", "böschung"),
    ("fuehrung", "führung"),
    ("erschliess", "erschließ"),
    ("staedte", "städte"),
    ("gehoert", "gehört"),
    ("rueckwaertig", "rückwärtig"),
)
WORDS = {"Mass": "Maß", "Fuer": "für"}
# Separate lower-case words inside a name ("Fläche ohne Festsetzung").
SMALL_WORDS = {"Ohne", "Von", "Und", "Nach", "Zu", "Zur", "Zum", "Fuer", "Mit", "Der", "Des", "Im", "In", "Am"}
# Adjectives in class names: a word of their own, lower case unless first ("Verkehrsfläche besonderer ...").
ADJECTIVES = {
    "Abstraktes", "Besonderer", "Bestimmte", "Bestimmter", "Biologische", "Erneuerbare", "Externe",
    "Generisches", "Gesetzliche", "Keine", "Komplexe", "Kulturelles", "Natuerlicher", "Naturschutzrechtliches",
    "Nicht", "Planerische", "Privilegiertes", "Sonstige", "Sonstiger", "Sonstiges", "Soziale", "Spezielle",
    "Technische", "Textliche", "Ueberbaubare", "Ueberbaubarer", "Ueberbauberer", "Unverbindliche", "Verbundener",
    "Zentraler", "Begruenende", "Oeffentliche", "Zentrale",
}  # fmt: skip
# Names the rules get wrong (checked by eye); keys without the prefix apply to every plan type.
DISPLAY_NAMES = {
    "XP_PPO": "Punktförmiges Präsentationsobjekt",
    "XP_PTO": "Textförmiges Präsentationsobjekt",
    "XP_LPO": "Linienförmiges Präsentationsobjekt",
    "XP_LTO": "Textförmiges Präsentationsobjekt (Linie)",
    "XP_FPO": "Flächenförmiges Präsentationsobjekt",
    "XP_TPO": "Textförmiges Präsentationsobjekt",
    "XP_PPO_": "Punktförmiges Präsentationsobjekt",
    "XP_Nutzungsschablone": "Nutzungsschablone",
    "XP_Praesentationsobjekt": "Präsentationsobjekt",
    "XP_Rasterdarstellung": "Rasterdarstellung",
    "AnpflanzungBindungErhaltung": "Anpflanzung, Bindung, Erhaltung",
    "SchutzPflegeEntwicklungsFlaeche": "Fläche für Schutz, Pflege und Entwicklung",
    "SchutzPflegeEntwicklungsMassnahme": "Maßnahme für Schutz, Pflege und Entwicklung",
    "SchutzPflegeEntwicklung": "Schutz, Pflege und Entwicklung",
    "SpielSportanlagenFlaeche": "Spiel- und Sportanlagenfläche",
    "SpielSportanlage": "Spiel- und Sportanlage",
    "VerEntsorgung": "Ver- und Entsorgung",
    "PersGruppenBestimmteFlaeche": "Fläche für bestimmte Personengruppen",
    "KeineZentrAbwasserBeseitigungFlaeche": "Fläche ohne zentrale Abwasserbeseitigung",
    "BereichOhneEinAusfahrtLinie": "Bereich ohne Ein- und Ausfahrt",
    "EinfahrtsbereichLinie": "Einfahrtsbereich",
    "RegelungVergnuegungsstaetten": "Regelung von Vergnügungsstätten",
    "AnpassungKlimawandel": "Anpassung an den Klimawandel",
    "ZieleErfordernisseMassnahmen": "Ziele, Erfordernisse und Maßnahmen",
    "BiotopverbundBiotopvernetzung": "Biotopverbund und Biotopvernetzung",
    "GruenzugGruenzaesur": "Grünzug und Grünzäsur",
    "RadwegWanderweg": "Radweg und Wanderweg",
    "IndustrieGewerbe": "Industrie und Gewerbe",
    "LaermschutzBauschutz": "Lärmschutz und Bauschutz",
    "SonstVerkehr": "Sonstiger Verkehr",
    "TextAbschnitt": "Textabschnitt",
    "Gruen": "Grünfläche",
    "Strassenverkehr": "Straßenverkehr",
    "AbweichungVonUeberbaubarerGrundstuecksFlaeche": "Abweichung von der überbaubaren Grundstücksfläche",
    "AbweichungVonBaugrenze": "Abweichung von der Baugrenze",
    "NebenanlagenAusschlussFlaeche": "Fläche für den Ausschluss von Nebenanlagen",
    "GemeinschaftsanlagenZuordnung": "Zuordnung von Gemeinschaftsanlagen",
    "SchutzBestimmterTeileVonNaturUndLandschaft": "Schutz bestimmter Teile von Natur und Landschaft",
    "AbweichungVonUeberbaubererGrundstuecksFlaeche": "Abweichung von der überbaubaren Grundstücksfläche",
    "BesondererNutzungszweckFlaeche": "Fläche mit besonderem Nutzungszweck",
    "BodenschaetzeFlaeche": "Fläche für Bodenschätze",
    "ErhaltungsBereichFlaeche": "Erhaltungsbereich",
    "KleintierhaltungFlaeche": "Fläche für Kleintierhaltung",
    "TechnischeMassnahmenFlaeche": "Fläche für technische Maßnahmen",
    "ZusatzkontingentLaerm": "Zusatzkontingent Lärm",
    "ZusatzkontingentLaermFlaeche": "Fläche mit Zusatzkontingent Lärm",
    "ImmissionsortLaerm": "Immissionsort Lärm",
    "VorbehalteFlaeche": "Vorbehaltsfläche",
    "SchutzgebietNaturschutzrecht": "Schutzgebiet nach Naturschutzrecht",
    "SchutzgebietSonstigesRecht": "Schutzgebiet nach sonstigem Recht",
    "SchutzgebietWasserrecht": "Schutzgebiet nach Wasserrecht",
    "SchutzobjektBundesrecht": "Schutzobjekt nach Bundesrecht",
    "BegruendungAbschnitt": "Begründungsabschnitt",
    "TextAbschnittFlaeche": "Fläche mit Textabschnitt",
    "TextAbschnittObjekt": "Objekt mit Textabschnitt",
    "ErneuerbareEnergieFlaeche": "Fläche für erneuerbare Energien",
    "DenkmalschutzEinzelanlage": "Denkmalschutz (Einzelanlage)",
    "DenkmalschutzEnsembleFlaeche": "Denkmalschutz (Ensemble)",
    "SonstigeAbgrenzuung": "Sonstige Abgrenzung",
    "BP_Plan": "Bebauungsplan",
    "FP_Plan": "Flächennutzungsplan",
    "LP_Plan": "Landschaftsplan",
    "RP_Plan": "Regionalplan",
    "SO_Plan": "Sonstiger Plan",
    "BP_Bereich": "Bereich eines Bebauungsplans",
    "FP_Bereich": "Bereich eines Flächennutzungsplans",
    "LP_Bereich": "Bereich eines Landschaftsplans",
    "RP_Bereich": "Bereich eines Regionalplans",
    "SO_Bereich": "Bereich eines sonstigen Plans",
}
# Endings of inflected adjectives in code names ("GeschlosseneBauweise", "NachrichtlicheUebernahme").
INFLECTED = tuple(
    stem + ending for stem in ("en", "et", "ig", "ch", "al", "er", "bar", "st", "iv") for ending in ("e", "er", "es")
)
CAMEL = re.compile(r"[A-ZÄÖÜ]+(?![a-zäöüß])|[A-ZÄÖÜ]?[a-zäöüß0-9]+|[0-9]+")
FULL_STOP = re.compile(r"(\S*)\.(?:\s|$)")
ABBREVIATIONS = {"bzw", "ggf", "vgl", "z.B", "B", "Abs", "Nr", "ca", "usw", "etc", "inkl", "bspw", "u.a", "Art", "S"}


def umlauts(word: str) -> str:
    """Return `word` with the checked ASCII stems in German spelling."""
    if word in WORDS:
        return WORDS[word]
    lower = word.lower()
    for ascii_stem, german in UMLAUTS:
        start = lower.find(ascii_stem)
        if start >= 0:
            replacement = german if not word[start].isupper() else german[0].upper() + german[1:]
            word = word[:start] + replacement + word[start + len(ascii_stem) :]
            lower = word.lower()
    return word


def split_camel(name: str) -> list[str]:
    """Split a CamelCase name into its words ("BaugebietsTeilFlaeche" -> Baugebiets, Teil, Flaeche)."""
    return CAMEL.findall(name)


def display_name(xplan_name: str) -> str:
    """Return the German display name of an XPlanung class name ("BP_GruenFlaeche" -> "Grünfläche")."""
    if xplan_name in DISPLAY_NAMES:
        return DISPLAY_NAMES[xplan_name]
    bare = xplan_name.split("_", 1)[1] if "_" in xplan_name else xplan_name
    if bare in DISPLAY_NAMES:
        return DISPLAY_NAMES[bare]
    return words_to_text(split_camel(bare))


def words_to_text(parts: list[str], inflected_adjectives: bool = False) -> str:
    """Join CamelCase words to German: nouns as compounds, adjectives and small words apart.

    With `inflected_adjectives` (code names such as "GeschlosseneBauweise"), every inflected word
    before the last counts as an adjective.
    """
    words: list[str] = []
    previous_noun = False
    for position, part in enumerate(parts):
        inflected = part.endswith(INFLECTED) and not part.endswith("aeche") and position < len(parts) - 1
        if part in SMALL_WORDS and words:
            words.append(umlauts(part).lower())
            previous_noun = False
        elif part in ADJECTIVES or (inflected_adjectives and inflected):
            text = umlauts(part)
            words.append(text if not words else text.lower())
            previous_noun = False
        elif previous_noun and not part.isupper() and not part[:1].isdigit():
            words[-1] += umlauts(part).lower()
        else:
            words.append(umlauts(part))
            previous_noun = not part.isupper()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def first_sentence(text: str | None) -> str:
    """Return the first sentence of a description, without a trailing full stop."""
    text = " ".join((text or "").split())
    end = len(text)
    for match in FULL_STOP.finditer(text):
        word = match.group(1)
        if word in ABBREVIATIONS or word[-1:].isdigit() or len(word) == 1:
            continue
        end = match.end(1)
        break
    sentence = text[:end]
    return sentence.rstrip(". ")


CLAUSE_END = re.compile(r",|;|:| – | bzw\.| gemäß | entsprechend | sofern | wenn ")


def attribute_label(name: str, description: str | None) -> str:
    """Return a short German label: the description's first words if short, else the derived name."""
    sentence = re.sub(r"\s*\([^)]*\)", "", first_sentence(description)).strip(" .:,")
    if len(sentence.split()) > 6:
        sentence = CLAUSE_END.split(sentence, maxsplit=1)[0].strip(" .:,")
    words = sentence.split()
    usable = 2 <= len(words) <= 7 and len(sentence) <= 70 and words[:2] != ["Gibt", "an"]
    quoted = re.search(r"[\"„`'‚]" + re.escape(name), sentence)
    if usable and not quoted and "§" not in sentence:
        return sentence[:1].upper() + sentence[1:]
    if name[:2].isupper():
        return name  # an abbreviation such as GFZmax: the name says more than a split would
    return words_to_text(split_camel(name[:1].upper() + name[1:]))


def xplan_name(python_name: str) -> str:
    """Return the XPlanung name of a generated class ("BPBaugebietsTeilFlaeche" -> "BP_BaugebietsTeilFlaeche")."""
    if python_name[:2] in PREFIXES and len(python_name) > 2:
        return f"{python_name[:2]}_{python_name[2:]}"
    return python_name


def _field_call(annotation: ast.expr) -> ast.Call | None:
    """Return the Field(...) call of an `Annotated[type, Field(...)]` annotation."""
    if isinstance(annotation, ast.Subscript) and getattr(annotation.value, "id", "") == "Annotated":
        elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
        for element in elements[1:]:
            if isinstance(element, ast.Call) and getattr(element.func, "id", "") == "Field":
                return element
    return None


def _keywords(call: ast.Call) -> dict:
    result = {}
    for keyword in call.keywords:
        try:
            result[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            continue
    return result


def read_module(source: str) -> dict:
    """Return the classes and enumerations of one schema module, read with ast."""
    tree = ast.parse(source)
    classes, enums, raw_enums = {}, {}, {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name == "Model":
            continue
        bases = [xplan_name(b.id) for b in node.bases if isinstance(b, ast.Name) and b.id != "BaseFeature"]
        info: dict = {"bases": bases, "doc": first_sentence(ast.get_docstring(node)), "attributes": {}}
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                name = item.target.id
                if name in ("abstract", "stereotype") and item.value is not None:
                    info[name] = ast.literal_eval(item.value)
                    continue
                call = _field_call(item.annotation)
                if call is None:
                    continue
                kwargs = _keywords(call)
                extra = kwargs.get("json_schema_extra") or {}
                typename = extra.get("typename", "")
                if isinstance(typename, list):  # a reference to one of several classes
                    typename = typename if len(typename) <= 6 else typename[:1] + ["…"]
                attribute = {
                    "label": attribute_label(name, kwargs.get("description")),
                    "type": typename,
                    "stereotype": extra.get("stereotype", ""),
                    "multiplicity": extra.get("multiplicity", ""),
                }
                if extra.get("enumDescription"):
                    attribute["enum"] = typename or f"{xplan_name(node.name)}.{name}"
                    raw_enums.setdefault(attribute["enum"], {}).update(extra["enumDescription"])
                info["attributes"][name] = attribute
        if info.get("stereotype") in ("FeatureType", "DataType") or info["attributes"]:
            classes[xplan_name(node.name)] = info
    for enum, values in raw_enums.items():
        enums[enum] = values
    return {"classes": classes, "enums": enums}


def chain(classes: dict, name: str) -> list[str]:
    """Return the base classes of `name`, nearest first."""
    result, todo = [], list(classes.get(name, {}).get("bases", []))
    while todo:
        base = todo.pop(0)
        if base not in result:
            result.append(base)
            todo.extend(classes.get(base, {}).get("bases", []))
    return result


def enum_label(value: dict, newer: list[dict]) -> str:
    """Return the German label of one code: its alias, a newer version's alias for the same name, or derived."""
    if value.get("alias"):
        return value["alias"]
    name = value.get("name", "")
    for other in newer:
        if other.get("name") == name and other.get("alias"):
            return other["alias"]
    description = first_sentence(value.get("description"))
    if description and len(description) <= 48 and len(description.split()) <= 6:
        return description
    return words_to_text(split_camel(name[:1].upper() + name[1:]), inflected_adjectives=True) if name else ""


def build(modules: dict[str, str]) -> dict[str, dict]:
    """Return the table of every version from the sources of its schema module."""
    read = {version: read_module(source) for version, source in modules.items()}
    tables = {}
    for version, data in read.items():
        newer = [read[v] for v in sorted(read, reverse=True) if v > version or v == version]
        classes = {}
        for name, info in sorted(data["classes"].items()):
            entry = {
                "name": display_name(name),
                "abstract": bool(info.get("abstract", False)),
                "chain": chain(data["classes"], name),
                "doc": info["doc"],
                "attributes": info["attributes"],
            }
            if info.get("stereotype") and info["stereotype"] != "FeatureType":
                entry["stereotype"] = info["stereotype"]
            classes[name] = entry
        enums, tokens = {}, {}
        for enum, values in sorted(data["enums"].items()):
            enums[enum] = {}
            for code, value in values.items():
                same = [other["enums"].get(enum, {}).get(code, {}) for other in newer]
                enums[enum][code] = enum_label(value, same)
                token = value.get("token") or next((s["token"] for s in same if s.get("token")), "")
                if token and s_name_matches(value, same):
                    tokens.setdefault(enum, {})[code] = token
        tables[version] = {"version": version, "classes": classes, "enums": enums, "tokens": tokens}
    return tables


def s_name_matches(value: dict, same: list[dict]) -> bool:
    """Return whether a token from a newer version belongs to the same code (same code name)."""
    return bool(value.get("token")) or any(s.get("token") and s.get("name") == value.get("name") for s in same)


def load_sources(source: Path) -> dict[str, str]:
    """Return the module source of each version from a wheel or an unzipped wheel directory."""
    modules = {}
    for version, module in VERSIONS.items():
        member = f"xplan_tools/model/appschema/{module}.py"
        if source.is_dir():
            modules[version] = (source / member).read_text(encoding="utf-8")
        else:
            with zipfile.ZipFile(source) as wheel:
                modules[version] = wheel.read(member).decode("utf-8")
    return modules


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for version, table in build(load_sources(Path(argv[1]))).items():
        path = OUT / f"xplan_{version.replace('.', '')}.json"
        path.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n")
        print(f"{path.name}: {len(table['classes'])} classes, {len(table['enums'])} code lists")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
