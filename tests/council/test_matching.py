import pytest

from council.matching import guess_stage, mentions_number, number_core
from plans.models import Plan


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("Bebauungsplan Nr. 12 „Am Bach“ – Aufstellungsbeschluss", "Nr. 12"),
        ("B-Plan Nr.12, Satzungsbeschluss", "Nr. 12"),
        ("B-Plan 12 Am Bach", "12"),
        ("Bebauungsplan Nr. 12/3 „Ortsmitte“", "Nr. 12/3"),
        ("Bebauungsplan Nr. 12 / 3 „Ortsmitte“", "12/3"),
        ("Bebauungsplanes Nr. 12a – Entwurf", "Nr. 12a"),
        ("Änderung des Flächennutzungsplans Nr. 7.1 im Bereich Nord", "7.1"),
        ("Vorhabenbezogener Bebauungsplan Nr. 12.", "Nr. 12"),
    ],
)
def test_a_title_naming_the_plan_number_matches(title, number):
    assert mentions_number(title, number)


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("Bebauungsplan Nr. 123 „Gewerbe Ost“", "Nr. 12"),
        ("Bebauungsplan Nr. 12/34", "Nr. 12/3"),
        ("Bebauungsplan Nr. 12/3", "Nr. 12"),
        ("Bebauungsplan Nr. 12a", "Nr. 12"),
        ("Bebauungsplan Nr. 12.1", "Nr. 12"),
        ("Haushalt 2027, Seite 12", "Nr. 12"),
        ("Bebauungsplan Nr. 12", ""),
    ],
)
def test_another_number_or_a_bare_number_does_not_match(title, number):
    assert not mentions_number(title, number)


def test_the_number_proper_ignores_spaces_and_the_prefix():
    assert number_core("Nr. 12 / 3") == "12/3"
    assert number_core("B-Plan Nr. 64A") == "64a"
    assert number_core("ohne") == ""


@pytest.mark.parametrize(
    ("title", "stage"),
    [
        ("Bebauungsplan Nr. 12 – Aufstellungsbeschluss", Plan.Stage.INITIATED),
        ("Bebauungsplan Nr. 12 – Beschluss über die frühzeitige Beteiligung", Plan.Stage.EARLY_PARTICIPATION),
        ("Bebauungsplan Nr. 12 – Entwurfs- und Veröffentlichungsbeschluss", Plan.Stage.PUBLICATION),
        ("Bebauungsplan Nr. 12 – Offenlagebeschluss", Plan.Stage.PUBLICATION),
        ("Bebauungsplan Nr. 12 – erneute Veröffentlichung", Plan.Stage.REPUBLICATION),
        ("Bebauungsplan Nr. 12 – Abwägung und Satzungsbeschluss", Plan.Stage.ADOPTED),
        ("Bebauungsplan Nr. 12 – Abwägung der Stellungnahmen", Plan.Stage.WEIGHING),
        ("Bebauungsplan Nr. 12 – Aufhebung des Aufstellungsbeschlusses", Plan.Stage.DISCONTINUED),
        ("Bebauungsplan Nr. 12 – Sachstand", Plan.Stage.WEIGHING),
    ],
)
def test_the_stage_is_guessed_from_the_decision_the_title_names(title, stage):
    assert guess_stage(title, default=Plan.Stage.WEIGHING) == stage
