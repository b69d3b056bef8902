"""Read the text sections of an XPlanGML file (XP_/BP_/FP_TextAbschnitt): the textliche Festsetzungen.

Each section has a `schluessel` (its number), `text`, a `gesetzlicheGrundlage` (text in 5.x,
XP_GesetzlicheGrundlage in 6.0) and possibly a `refText` (an external document holding the text).
Plan elements refer to them by `refTextInhalt` (kept as read in the features' attributes).
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from ..errors import ImportRejected
from .gml import GML, local, parse_xml

TITLE_LENGTH = 90
MAX_SECTIONS = 2000
MAX_TEXT = 50_000  # characters per section


@dataclass
class TextSection:
    gml_id: str
    cls: str
    number: str
    text: str
    legal_basis: str
    reference: str  # referenzName / referenzURL of refText, if any

    @property
    def title(self) -> str:
        """Return a short heading: the text's first sentence (shortened), else the legal basis or reference."""
        return section_title(self.text) or self.legal_basis or self.reference or self.gml_id

    def as_section(self) -> dict:
        """Return the fields of the DocumentSection this text section becomes."""
        text = self.text
        if not text and self.reference:
            text = _("Der Text steht im Dokument „%(name)s“.") % {"name": self.reference}
        return {
            "key": self.gml_id,
            "number": self.number,
            "title": self.title,
            "text": text,
            "legal_basis": self.legal_basis,
        }


def section_title(text: str) -> str:
    """Return the first sentence of `text`, at most TITLE_LENGTH characters (cut at a word, with "…")."""
    text = " ".join(text.split())
    if not text:
        return ""
    sentence = re.split(r"(?<=[.!?:;])\s", text, maxsplit=1)[0].rstrip(".:;")
    if len(sentence) <= TITLE_LENGTH:
        return sentence
    return sentence[:TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(",;") + " …"


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    return " ".join("".join(el.itertext()).split()) if list(el) else (el.text or "").strip()


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for child in el:
        if local(child.tag) == name:
            return child
    return None


def _legal_basis(el: ET.Element | None) -> str:
    """Return gesetzlicheGrundlage as text: 5.x plain text; 6.0 XP_GesetzlicheGrundlage name, detail, dates."""
    if el is None:
        return ""
    data = _child(el, "XP_GesetzlicheGrundlage")
    if data is None:
        return (el.text or "").strip()
    parts = [_text(_child(data, name)) for name in ("name", "detail")]
    return " ".join(p for p in parts if p)


def _reference(el: ET.Element | None) -> str:
    if el is None:
        return ""
    data = list(el)[0] if list(el) else el
    for name in ("referenzName", "referenzURL"):
        value = _text(_child(data, name))
        if value:
            return value
    return ""


def read_text_sections(root: ET.Element) -> list[TextSection]:
    """Return the text sections of a parsed XPlanAuszug in file order."""
    sections = []
    for wrapper in root:
        if local(wrapper.tag) not in ("featureMember", "featureMembers", "member"):
            continue
        for obj in wrapper:
            cls = local(obj.tag)
            if not cls.endswith("_TextAbschnitt"):
                continue
            text_el = _child(obj, "text")
            text = (text_el.text or "") if text_el is not None else ""
            text = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())
            sections.append(
                TextSection(
                    gml_id=obj.get(f"{{{GML}}}id", ""),
                    cls=cls,
                    number=_text(_child(obj, "schluessel")),
                    text=text[:MAX_TEXT],
                    legal_basis=_legal_basis(_child(obj, "gesetzlicheGrundlage")),
                    reference=_reference(_child(obj, "refText")),
                )
            )
            if len(sections) > MAX_SECTIONS:
                raise ImportRejected(
                    _("Die Datei enthält mehr als %(max)d Textabschnitte.") % {"max": MAX_SECTIONS},
                    code="too_many_text_sections",
                )
    return [s for s in sections if s.gml_id]


def read_text_sections_file(path: Path) -> list[TextSection]:
    """Parse `path` (checked by files.prepare_source) and return its text sections."""
    return read_text_sections(parse_xml(path))
