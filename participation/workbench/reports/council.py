"""The data of the council documents (Abwägungstabelle and Beschlussvorlage as DOCX/ODT), with German placeholder names.

Every name here is a placeholder of the Word templates (docs/council-documents.md lists them);
DOCX templates see exactly this context, the ODT renderer lays out the same values.
A table line (`zeilen`) is a statement ("12") or, below it, one of its segments ("12.1").
"""

import datetime as dt
import re
from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Decision, Segment
from .columns import label

# Characters XML 1.0 does not allow (Word and LibreOffice refuse such files); \a and \f mean breaks to docxtpl.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

DECISION_KEYS = {
    Decision.CONSIDERED: "anzahl_beruecksichtigt",
    Decision.PARTLY: "anzahl_teilweise_beruecksichtigt",
    Decision.NOT_CONSIDERED: "anzahl_nicht_beruecksichtigt",
    Decision.NOTED: "anzahl_zur_kenntnis_genommen",
}


def clean(value) -> str:
    """Return `value` as text that fits into a document (dates as dd.mm.yyyy, no control characters)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return _NOT_XML.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")


# A segment row of reports.data (segment_row) names these differently: its "number" is "12.1", its own number is
# "segment", its text "comment".
_SEGMENT_ROW_KEYS = {"number": "segment", "excerpt": "comment"}


def _item(item, key: str):
    if isinstance(item, dict):
        return item.get(_SEGMENT_ROW_KEYS.get(key, key)) if "segment" in item else item.get(key)
    return getattr(item, key, None)


def statement_rows(rows: list[dict]) -> list[dict]:
    """Return the statements' rows only (reports.data follows each with its segments' rows; those come from
    the statement's "segments" here)."""
    return [row for row in rows if row.get("segment") is None]


def segments_by_statement(rows: list[dict]) -> dict[int, list[dict]]:
    """Return the segments of the rows' statements as {statement id: [{number, excerpt, decision, response}]}.

    Rows that already carry their segments (key "segments") are used as they are.
    """
    if rows and "segments" in rows[0]:
        return {
            row["id"]: [
                {key: _item(s, key) for key in ("number", "excerpt", "decision", "response")}
                for s in row["segments"] or []
            ]
            for row in rows
        }
    found: dict[int, list[dict]] = {}
    ids = [row["id"] for row in rows]
    for start in range(0, len(ids), 5000):  # SQLite allows a limited number of query parameters
        for sid, number, excerpt, decision, response in (
            Segment.objects.filter(weighing__statement_id__in=ids[start : start + 5000])
            .order_by("weighing__statement_id", "number")
            .values_list("weighing__statement_id", "number", "excerpt", "decision", "response")
        ):
            found.setdefault(sid, []).append(
                {"number": number, "excerpt": excerpt, "decision": decision, "response": response}
            )
    return found


def table_lines(rows: list[dict], *, personal: bool) -> list[dict]:
    """Return the table lines: each statement, then its segments as "12.1", "12.2"."""
    rows = statement_rows(rows)
    segments = segments_by_statement(rows)
    lines = []
    for row in rows:
        parts = segments.get(row["id"], [])
        response = row["response"]
        if parts and not response:
            response = _("Abgewogen in den Teilen %(first)s bis %(last)s.") % {
                "first": f"{row['number']}.{parts[0]['number']}",
                "last": f"{row['number']}.{parts[-1]['number']}",
            }
        lines.append(
            {
                "nr": str(row["number"]),
                "ist_teil": False,
                "einreicher": clean(row["pseudonym"]),
                "name": clean(row["user_name"]) if personal else "",
                "email": clean(row["user_email"]) if personal else "",
                "anschrift": clean(row["postal_address"]) if personal else "",
                "eingang": clean(row["received"]),
                "thema": label("topic", row["topic"]),
                "abschnitt": clean(row["section"]),
                "stellungnahme": clean(row["comment"]),
                "abwaegung": clean(response),
                "entscheidung": label("decision", row["decision"]),
            }
        )
        for part in parts:
            lines.append(
                {
                    "nr": f"{row['number']}.{part['number']}",
                    "ist_teil": True,
                    "einreicher": "",
                    "name": "",
                    "email": "",
                    "anschrift": "",
                    "eingang": "",
                    "thema": "",
                    "abschnitt": "",
                    "stellungnahme": clean(part["excerpt"]),
                    "abwaegung": clean(part["response"]),
                    "entscheidung": label("decision", part["decision"]),
                }
            )
    return lines


def proposal_text(gremium: str, step: str) -> str:
    """Return the default Beschlussvorschlag ("Die Gemeindevertretung beschließt …")."""
    return _(
        "Die %(body)s beschließt, die im Verfahrensschritt „%(step)s“ eingegangenen Stellungnahmen entsprechend "
        "dem Abwägungsvorschlag der Verwaltung (Anlage 1: Abwägungstabelle) zu berücksichtigen, teilweise zu "
        "berücksichtigen, nicht zu berücksichtigen oder zur Kenntnis zu nehmen. Die Verwaltung wird beauftragt, "
        "die Einsenderinnen und Einsender vom Ergebnis der Abwägung zu unterrichten."
    ) % {"body": gremium, "step": step}


def context(consultation, rows: list[dict], *, personal: bool) -> dict:
    """Return every placeholder's value for the documents of `consultation` with the report `rows`."""
    plan = consultation.plan
    municipality = plan.municipality
    rows = statement_rows(rows)
    lines = table_lines(rows, personal=personal)
    decided = Counter(row["decision"] or "" for row in rows)
    step = consultation.get_kind_display()
    gremium = municipality.council_body or _("Gemeindevertretung")
    values = {
        "kommune": municipality.name,
        "gremium": gremium,
        "plan": plan.title,
        "plan_nummer": plan.number,
        "plan_art": plan.get_kind_display(),
        "verfahrensschritt": step,
        "runde": consultation.round,
        "beginn": clean(consultation.start_date),
        "ende": clean(consultation.end_date),
        "datum": clean(timezone.localdate()),
        "mit_personendaten": personal,
        "anzahl_stellungnahmen": len(rows),
        "anzahl_teile": sum(1 for line in lines if line["ist_teil"]),
        "anzahl_ohne_entscheidung": decided.get("", 0),
        "entscheidungen": [
            {"bezeichnung": str(text), "anzahl": decided.get(value, 0)} for value, text in Decision.choices
        ],
        "beschlussvorschlag": proposal_text(gremium, step),
        "zeilen": lines,
    }
    for value, key in DECISION_KEYS.items():
        values[key] = decided.get(value, 0)
    return values


def sample_context() -> dict:
    """Return a context with made-up data in every placeholder (to try a municipality's template)."""
    lines = [
        {
            "nr": "1",
            "ist_teil": False,
            "einreicher": "Bürger/in 1",
            "name": "Erika Mustermann",
            "email": "erika@example.org",
            "anschrift": "Hauptstraße 1\n61250 Usingen",
            "eingang": "02.03.2026",
            "thema": "Verkehr",
            "abschnitt": "3.2 Verkehr",
            "stellungnahme": "Die Zufahrt über die Riedbornstraße ist zu eng.\nBitte prüfen Sie eine andere Zufahrt.",
            "abwaegung": "Abgewogen in den Teilen 1.1 bis 1.2.",
            "entscheidung": "teilweise berücksichtigt",
        },
        {
            "nr": "1.1",
            "ist_teil": True,
            "einreicher": "",
            "name": "",
            "email": "",
            "anschrift": "",
            "eingang": "",
            "thema": "",
            "abschnitt": "",
            "stellungnahme": "Die Zufahrt über die Riedbornstraße ist zu eng.",
            "abwaegung": "Die Straße wird auf 6,5 m verbreitert.",
            "entscheidung": "berücksichtigt",
        },
        {
            "nr": "2",
            "ist_teil": False,
            "einreicher": "Kreisausschuss Hochtaunuskreis",
            "name": "",
            "email": "",
            "anschrift": "",
            "eingang": "05.03.2026",
            "thema": "Umwelt",
            "abschnitt": "",
            "stellungnahme": "Keine Bedenken.",
            "abwaegung": "Wird zur Kenntnis genommen.",
            "entscheidung": "zur Kenntnis genommen",
        },
    ]
    values = {
        "kommune": "Usingen",
        "gremium": "Stadtverordnetenversammlung",
        "plan": "Am Riedborn",
        "plan_nummer": "Nr. 64",
        "plan_art": "Bebauungsplan",
        "verfahrensschritt": "Veröffentlichung im Internet (§ 3 Abs. 2 BauGB)",
        "runde": 1,
        "beginn": "01.03.2026",
        "ende": "31.03.2026",
        "datum": "15.04.2026",
        "mit_personendaten": False,
        "anzahl_stellungnahmen": 2,
        "anzahl_teile": 1,
        "anzahl_ohne_entscheidung": 0,
        "entscheidungen": [
            {"bezeichnung": str(text), "anzahl": 1 if value in (Decision.PARTLY, Decision.NOTED) else 0}
            for value, text in Decision.choices
        ],
        "beschlussvorschlag": proposal_text("Stadtverordnetenversammlung", "Veröffentlichung im Internet"),
        "zeilen": lines,
    }
    for value, key in DECISION_KEYS.items():
        values[key] = 1 if value in (Decision.PARTLY, Decision.NOTED) else 0
    return values


# The names a template may use (sample_context() has each; tests keep the lists and the docs in step).
PLACEHOLDERS = (
    "kommune", "gremium", "plan", "plan_nummer", "plan_art", "verfahrensschritt", "runde", "beginn", "ende", "datum",
    "mit_personendaten", "anzahl_stellungnahmen", "anzahl_teile", "anzahl_ohne_entscheidung", "entscheidungen",
    "beschlussvorschlag", "zeilen", *DECISION_KEYS.values(),
)  # fmt: skip
LINE_PLACEHOLDERS = (
    "nr", "ist_teil", "einreicher", "name", "email", "anschrift", "eingang", "thema", "abschnitt", "stellungnahme",
    "abwaegung", "entscheidung",
)  # fmt: skip
