"""What an XPlanGML plan says about its legal side: plan kind, Rechtsstand, procedure dates, AGS.

The code lists BP_PlanArt / FP_PlanArt and BP_Rechtsstand / FP_Rechtsstand mapped to Plan.kind and Plan.stage,
and the dated procedure steps read from the plan's date attributes (docs/import.md has the tables).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from plans.models import Plan

if TYPE_CHECKING:
    from .xplan import XPlanDocument

# Code lists BP_PlanArt / FP_PlanArt and BP_Rechtsstand / FP_Rechtsstand -> Plan.kind / Plan.stage.
# See docs/import.md for the table with the code names.
BP_PLAN_ART = {
    "1000": Plan.Kind.BPLAN,
    "10000": Plan.Kind.BPLAN,
    "10001": Plan.Kind.BPLAN,
    "10002": Plan.Kind.BPLAN,
    "3000": Plan.Kind.VBPLAN,
    "3100": Plan.Kind.VBPLAN,
    "4000": Plan.Kind.STATUTE,
    "40000": Plan.Kind.STATUTE,
    "40001": Plan.Kind.STATUTE,
    "40002": Plan.Kind.STATUTE,
    "5000": Plan.Kind.STATUTE,
    "7000": Plan.Kind.STATUTE,
    "9999": Plan.Kind.BPLAN,
}
FP_PLAN_ART = {
    "1000": Plan.Kind.FNP,
    "2000": Plan.Kind.FNP,
    "3000": Plan.Kind.FNP,
    "4000": Plan.Kind.FNP,
    "5000": Plan.Kind.FNP_CHANGE,
    "9999": Plan.Kind.FNP,
}
# BP_Rechtsstand (XPlanung 5.x/6.x; 2250, 45000 and 45001 since 6.0) -> Plan.Stage.
RECHTSSTAND = {
    "1000": Plan.Stage.INITIATED,  # Aufstellungsbeschluss
    "2000": Plan.Stage.PUBLICATION,  # Entwurf
    "2100": Plan.Stage.EARLY_PARTICIPATION,  # FruehzeitigeBehoerdenBeteiligung
    "2200": Plan.Stage.EARLY_PARTICIPATION,  # FruehzeitigeOeffentlichkeitsBeteiligung
    "2250": Plan.Stage.PUBLICATION,  # Entwurfsbeschluss
    "2300": Plan.Stage.PUBLICATION,  # BehoerdenBeteiligung
    "2400": Plan.Stage.PUBLICATION,  # OeffentlicheAuslegung
    "3000": Plan.Stage.ADOPTED,  # Satzung
    "4000": Plan.Stage.IN_FORCE,  # InkraftGetreten
    "4500": Plan.Stage.IN_FORCE,  # TeilweiseUntergegangen
    "45000": Plan.Stage.IN_FORCE,  # TeilweiseAufgehoben
    "45001": Plan.Stage.IN_FORCE,  # TeilweiseAusserKraft
    "5000": Plan.Stage.DISCONTINUED,  # Untergegangen
    "50000": Plan.Stage.DISCONTINUED,  # Aufgehoben
    "50001": Plan.Stage.DISCONTINUED,  # AusserKraft
}
# FP_Rechtsstand (5.x: 1000-2400, 3000, 4000, 5000; 6.0 adds 2250, 50000, 50001).
FP_RECHTSSTAND = {
    "1000": Plan.Stage.INITIATED,  # Aufstellungsbeschluss
    "2000": Plan.Stage.PUBLICATION,  # ImVerfahren (5.x: Entwurf)
    "2100": Plan.Stage.EARLY_PARTICIPATION,  # FruehzeitigeBehoerdenBeteiligung
    "2200": Plan.Stage.EARLY_PARTICIPATION,  # FruehzeitigeOeffentlichkeitsBeteiligung
    "2250": Plan.Stage.PUBLICATION,  # Entwurfsbeschluss
    "2300": Plan.Stage.PUBLICATION,  # BehoerdenBeteiligung
    "2400": Plan.Stage.PUBLICATION,  # OeffentlicheAuslegung
    "3000": Plan.Stage.ADOPTED,  # Plan (Feststellungsbeschluss)
    "4000": Plan.Stage.IN_FORCE,  # Wirksamkeit
    "5000": Plan.Stage.DISCONTINUED,  # Untergegangen
    "50000": Plan.Stage.DISCONTINUED,  # Aufgehoben
    "50001": Plan.Stage.DISCONTINUED,  # AusserKraft
}

# Dated procedure steps of BP_Plan / FP_Plan (and XP_Plan) -> Plan.Stage. Repeated
# auslegungsStartDatum values after the first are an erneute Veröffentlichung.
STAGE_DATES = (
    ("aufstellungsbeschlussDatum", Plan.Stage.INITIATED),
    ("fruehzeitigeTraegerbeteiligungStartDatum", Plan.Stage.EARLY_PARTICIPATION),
    ("fruehzeitigeOeffentlichkeitsBeteiligungStartDatum", Plan.Stage.EARLY_PARTICIPATION),
    ("auslegungsStartDatum", Plan.Stage.PUBLICATION),
    ("traegerbeteiligungsStartDatum", Plan.Stage.PUBLICATION),
    ("satzungsbeschlussDatum", Plan.Stage.ADOPTED),
    ("planbeschlussDatum", Plan.Stage.ADOPTED),
    ("rechtsverordnungsDatum", Plan.Stage.ADOPTED),
    ("genehmigungsDatum", Plan.Stage.APPROVED),
    ("inkrafttretensDatum", Plan.Stage.IN_FORCE),
    ("wirksamkeitsDatum", Plan.Stage.IN_FORCE),
    ("untergangsDatum", Plan.Stage.DISCONTINUED),
)
AGS_PATTERN = re.compile(r"^\d{8}$")


def plan_kind(document: XPlanDocument) -> str:
    """Return the Plan.Kind of the document's BP_PlanArt / FP_PlanArt."""
    if document.plan_class == "FP_Plan":
        kind = FP_PLAN_ART.get(document.plan_art, Plan.Kind.FNP)
        return Plan.Kind.FNP_CHANGE if "änderung" in document.name.lower() else kind
    if document.plan_class in ("SO_Plan", "LP_Plan"):
        return Plan.Kind.STATUTE  # no kind of their own yet (Sanierungs-/Erhaltungssatzung, Landschaftsplan)
    return BP_PLAN_ART.get(document.plan_art, Plan.Kind.BPLAN)


def plan_stage(document: XPlanDocument) -> str | None:
    """Return the Plan.Stage of the document's Rechtsstand, or None if it has none we know."""
    if document.plan_class == "SO_Plan":
        return None  # SO_Plan has no Rechtsstand
    table = FP_RECHTSSTAND if document.plan_class in ("FP_Plan", "LP_Plan") else RECHTSSTAND
    return table.get(document.legal_status)


def stage_dates(document: XPlanDocument) -> list[tuple[dt.date, str, str]]:
    """Return the dated procedure steps of the plan as (date, Plan.Stage, attribute), oldest first.

    Only steps up to the stage of the Rechtsstand are returned (a later date in a file whose
    Rechtsstand says otherwise is not a step that happened); unreadable dates are skipped.
    """
    current = plan_stage(document)
    order = list(Plan.Stage.values)
    limit = order.index(current) if current else len(order)
    earliest: dict[str, tuple[dt.date, str, str]] = {}
    repeated: list[tuple[dt.date, str, str]] = []
    for attribute, stage in STAGE_DATES:
        if order.index(stage) > limit:
            continue
        dates = sorted(d for d in (_date(v) for v in document.dates.get(attribute, [])) if d)
        if not dates:
            continue
        if attribute == "auslegungsStartDatum":
            repeated += [(date, Plan.Stage.REPUBLICATION, attribute) for date in dates[1:]]
        if stage not in earliest or dates[0] < earliest[stage][0]:
            earliest[stage] = (dates[0], stage, attribute)
    return sorted([*earliest.values(), *repeated], key=lambda step: (step[0], order.index(step[1])))


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def ags_is_valid(ags: str) -> bool:
    """Return True if `ags` has the form of an Amtlicher Gemeindeschlüssel (8 digits)."""
    return bool(AGS_PATTERN.match(ags))
