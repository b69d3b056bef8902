from participation.workbench import services
from participation.workbench.models import Decision, StatementGroup, Weighing
from participation.workbench.selectors import weighed_statements
from participation.workbench.similarity import jaccard, normalise, shingles, similar_clusters
from plans.rules import SYSTEM

from .conftest import FORM_LETTER


def test_normalise_and_shingles():
    assert normalise("  Hallo,  WELT!\nStraße ") == "hallo welt strasse"  # casefold: Straße and Strasse match
    assert shingles("a b c d") == {"a b c", "b c d"}
    assert shingles("a b") == {"a b"}
    assert jaccard({1, 2}, {2, 3}) == 1 / 3


def test_similar_clusters_finds_form_letters_not_distinct_texts():
    texts = {
        1: FORM_LETTER,
        2: FORM_LETTER.upper(),  # exact duplicate after normalisation
        3: FORM_LETTER.replace("Sehr geehrte Damen und Herren,", "Hallo,"),  # near duplicate
        4: "Der Bach im Norden muss als Biotop erhalten bleiben.",
        5: "Der Bach im Süden ist egal, aber die Straße ist zu laut und gefährlich.",
        6: "",
    }
    assert similar_clusters(texts, threshold=0.8) == [[1, 2, 3]]
    assert similar_clusters(texts, threshold=1.0) == [[1, 2]]


def test_weighed_statements_are_top_level_confirmed_non_official(world):
    consultation = world["consultation"]
    weighed = weighed_statements(consultation)
    assert weighed.count() == 8
    assert not weighed.filter(is_official=True).exists()
    assert not weighed.filter(confirmed_at__isnull=True).exists()
    late = {s.user_name for s in weighed.filter(late=True)}
    assert late == {"Max Spät"}  # paper statement received on the last day is in time


def test_weighings_ensure_numbers_in_order_and_stays_stable(world):
    consultation = world["consultation"]
    assert services.weighings_ensure(consultation=consultation, by=SYSTEM) == 8
    assert services.weighings_ensure(consultation=consultation, by=SYSTEM) == 0
    numbers = list(Weighing.objects.order_by("statement__submit_date", "statement_id").values_list("number", flat=True))
    assert numbers == list(range(1, 9))
    first = Weighing.objects.get(number=1)
    assert first.pseudonym == "Bürger/in 1"
    first.organisation = "Regierungspräsidium Darmstadt"
    assert first.pseudonym == "Regierungspräsidium Darmstadt"


def test_group_similar_then_answer_group(world):
    consultation, planner = world["consultation"], world["users"]["planner"]
    result = services.statements_group_similar(consultation=consultation, by=SYSTEM, threshold=0.8)
    assert result == {"groups_created": 1, "statements_grouped": 3}
    group = StatementGroup.objects.get()
    assert sorted(group.weighings.values_list("number", flat=True)) == [1, 2, 3]
    # Running again changes nothing.
    assert services.statements_group_similar(consultation=consultation, by=SYSTEM, threshold=0.8) == {
        "groups_created": 0,
        "statements_grouped": 0,
    }
    count = services.group_answer(
        group=group, by=planner, decision=Decision.PARTLY, response="Die Zufahrt wird geprüft."
    )
    assert count == 3
    assert set(group.weighings.values_list("decision", "response", "updated_by")) == {
        (Decision.PARTLY, "Die Zufahrt wird geprüft.", planner.pk)
    }


def test_bulk_update_only_touches_own_consultation(world):
    consultation, foreign = world["consultation"], world["foreign_consultation"]
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    services.weighings_ensure(consultation=foreign, by=SYSTEM)
    foreign_ids = list(weighed_statements(foreign).values_list("id", flat=True))
    own_ids = [s.pk for s in world["statements"][:2]]
    changed = services.weighings_bulk_update(
        consultation=consultation, statement_ids=own_ids + foreign_ids, by=SYSTEM, decision=Decision.NOTED
    )
    assert changed == 2
    assert not Weighing.objects.filter(statement_id__in=foreign_ids, decision=Decision.NOTED).exists()


def test_manual_group_and_ungroup(world):
    consultation = world["consultation"]
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    ids = [s.pk for s in world["statements"][3:5]]
    group = services.statements_group(consultation=consultation, by=SYSTEM, statement_ids=ids, label="Natur")
    assert group.weighings.count() == 2 and not group.automatic
    assert services.statements_ungroup(consultation=consultation, statement_ids=ids, by=SYSTEM) == 2
    assert not StatementGroup.objects.exists()
