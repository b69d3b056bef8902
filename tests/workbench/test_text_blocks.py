"""Text blocks (Textbausteine): staff pages, placeholders, the picker in the weighing and group views, use counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.workbench import services, text_blocks
from participation.workbench.models import TextBlock, TextBlockUse, Weighing
from plans.rules import SYSTEM

TRAFFIC_TEXT = "Der Verkehr wurde für {plan} ({plan_nummer}) geprüft; die {gremium} von {kommune} entscheidet."


@pytest.fixture
def blocks(world):
    town = world["town"]
    town.council_body = "Stadtverordnetenversammlung"
    town.save()
    plan = world["consultation"].plan
    plan.number = "Nr. 64"
    plan.save()
    return {
        "traffic": TextBlock.objects.create(municipality=town, topic="traffic", title="Verkehr", text=TRAFFIC_TEXT),
        "general": TextBlock.objects.create(municipality=town, title="Dank", text="Danke für Ihre Hinweise."),
        "green": TextBlock.objects.create(municipality=town, topic="green", title="Grün", text="Grün bleibt."),
        "foreign": TextBlock.objects.create(municipality=world["other"], title="Fremd", text="Fremder Baustein."),
    }


def _list_url(municipality):
    return reverse("workbench:text_blocks", args=[municipality.pk])


def test_planner_creates_edits_and_deletes_a_block(client, world):
    client.force_login(world["users"]["planner"])
    town = world["town"]
    response = client.post(
        reverse("workbench:text_block_create", args=[town.pk]),
        {"title": "Lärm", "topic": "environment", "text": "Das Lärmgutachten zu {plan} liegt vor ({datum})."},
    )
    assert response.status_code == 302 and response.url == _list_url(town)
    block = TextBlock.objects.get(title="Lärm")
    assert block.municipality == town and block.topic == "environment"

    page = client.get(reverse("workbench:text_block_create", args=[town.pk])).content.decode()
    assert "<h1>Neuer Textbaustein</h1>" in page
    page = client.get(reverse("workbench:text_block_edit", args=[town.pk, block.pk])).content.decode()
    assert "<h1>Textbaustein bearbeiten</h1>" in page and "Das Lärmgutachten zu {plan}" in page
    response = client.post(
        reverse("workbench:text_block_edit", args=[town.pk, block.pk]),
        {"title": "Lärmschutz", "topic": "", "text": "Frist bis {frist_ende}."},
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert (block.title, block.topic, block.text) == ("Lärmschutz", "", "Frist bis {frist_ende}.")

    page = client.get(_list_url(town)).content.decode()
    assert "Lärmschutz" in page and "Frist bis {frist_ende}." in page
    assert "<code>{plan}</code>, <code>{plan_nummer}</code>" in page  # the placeholders are explained

    confirm = client.get(reverse("workbench:text_block_delete", args=[town.pk, block.pk])).content.decode()
    assert "Soll der Textbaustein „Lärmschutz“ gelöscht werden?" in confirm
    response = client.post(reverse("workbench:text_block_delete", args=[town.pk, block.pk]))
    assert response.status_code == 302 and not TextBlock.objects.filter(pk=block.pk).exists()


def test_unknown_placeholder_is_refused_with_a_clear_error(client, world):
    client.force_login(world["users"]["planner"])
    url = reverse("workbench:text_block_create", args=[world["town"].pk])
    response = client.post(url, {"title": "Falsch", "topic": "", "text": "Am {datum} für {bürgermeister} und {x.y}."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Unbekannter Platzhalter: {bürgermeister}, {x.y}" in page
    assert not TextBlock.objects.exists()


def test_empty_title_is_refused(client, world):
    client.force_login(world["users"]["planner"])
    response = client.post(
        reverse("workbench:text_block_create", args=[world["town"].pk]), {"title": "", "topic": "", "text": "Text"}
    )
    assert response.status_code == 400 and not TextBlock.objects.exists()


def test_moderator_sees_but_cannot_change_blocks(client, world, blocks):
    client.force_login(world["users"]["moderator"])
    town = world["town"]
    page = client.get(_list_url(town)).content.decode()
    assert "Verkehr" in page and "Fremd" not in page
    assert reverse("workbench:text_block_create", args=[town.pk]) not in page
    assert client.get(reverse("workbench:text_block_create", args=[town.pk])).status_code == 403
    response = client.post(
        reverse("workbench:text_block_edit", args=[town.pk, blocks["traffic"].pk]),
        {"title": "X", "topic": "", "text": "X"},
    )
    assert response.status_code == 403
    assert client.post(reverse("workbench:text_block_delete", args=[town.pk, blocks["traffic"].pk])).status_code == 403
    blocks["traffic"].refresh_from_db()
    assert blocks["traffic"].title == "Verkehr"


@pytest.mark.parametrize("role", ["foreign_planner", "foreign_moderator", "no_membership"])
def test_other_municipalities_get_404(client, world, blocks, role):
    client.force_login(world["users"][role])
    town = world["town"]
    block = blocks["traffic"]
    for url in (
        _list_url(town),
        reverse("workbench:text_block_create", args=[town.pk]),
        reverse("workbench:text_block_edit", args=[town.pk, block.pk]),
        reverse("workbench:text_block_delete", args=[town.pk, block.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "X", "topic": "", "text": "X"}).status_code == 404, url
    assert TextBlock.objects.filter(pk=block.pk, title="Verkehr").exists()


def test_block_of_another_municipality_is_404_under_own_url(client, world, blocks):
    client.force_login(world["users"]["planner"])
    url = reverse("workbench:text_block_edit", args=[world["town"].pk, blocks["foreign"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "X", "topic": "", "text": "X"}).status_code == 404


def test_render_replaces_placeholders_safely(world, blocks):
    values = text_blocks.placeholder_values(world["consultation"])
    assert text_blocks.render(TRAFFIC_TEXT, values) == (
        "Der Verkehr wurde für Am Riedborn (Nr. 64) geprüft; die Stadtverordnetenversammlung von Usingen entscheidet."
    )
    # No format-string evaluation: attribute access stays literal text.
    assert text_blocks.render("{plan.__class__}", values) == "{plan.__class__}"
    assert values["datum"] == timezone.localdate().strftime("%d.%m.%Y")
    assert values["frist_ende"] == world["consultation"].end_date.strftime("%d.%m.%Y")


def _weighing_url(world, index=0):
    return reverse("workbench:weighing", args=[world["consultation"].pk, world["statements"][index].pk])


def test_picker_lists_blocks_of_the_statements_topic_first(client, world, blocks):
    client.force_login(world["users"]["planner"])
    page = client.get(_weighing_url(world)).content.decode()  # a traffic statement
    assert page.index(">Verkehr (") < page.index(">Dank<") < page.index(">Grün (")
    assert "Fremd" not in page
    assert 'name="insert_block"' in page and "Einfügen" in page


def test_insert_without_js_appends_the_rendered_block_and_keeps_unsaved_text(client, world, blocks):
    client.force_login(world["users"]["planner"])
    url = _weighing_url(world)
    response = client.post(
        url,
        {
            "decision": "partly",
            "response": "Mein ungespeicherter Entwurf.",
            "internal_note": "Notiz <b>fett</b>",
            "organisation": "",
            "inserted_blocks": "",
            "text_block": blocks["traffic"].pk,
            "insert_block": "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mein ungespeicherter Entwurf.\n\nDer Verkehr wurde für Am Riedborn (Nr. 64) geprüft" in page
    assert "Notiz &lt;b&gt;fett&lt;/b&gt;" in page  # kept and escaped
    assert f'name="inserted_blocks" value="{blocks["traffic"].pk}"' in page
    assert '<option value="partly" selected>' in page
    weighing = Weighing.objects.get(statement=world["statements"][0])
    assert weighing.response == "" and weighing.decision == ""  # nothing saved yet
    assert not TextBlockUse.objects.exists()


def test_insert_without_a_choice_says_so(client, world, blocks):
    client.force_login(world["users"]["planner"])
    response = client.post(
        _weighing_url(world),
        {"decision": "", "response": "Entwurf", "text_block": "", "insert_block": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "Bitte wählen Sie einen Textbaustein aus." in page and "Entwurf" in page


def test_saving_records_the_use_and_the_list_counts_it(client, world, blocks):
    client.force_login(world["users"]["planner"])
    url = _weighing_url(world)
    values = text_blocks.placeholder_values(world["consultation"])
    rendered = text_blocks.render(TRAFFIC_TEXT, values)
    data = {
        "decision": "partly",
        "response": f"Einleitung.\n\n{rendered}",
        "internal_note": "",
        "organisation": "",
        "inserted_blocks": f"{blocks['traffic'].pk},{blocks['general'].pk},{blocks['foreign'].pk}",
        "save": "",
    }
    assert client.post(url, data).status_code == 302
    weighing = Weighing.objects.get(statement=world["statements"][0])
    assert weighing.response.endswith(rendered)
    # Only the block still in the text counts; the removed one and a foreign id do not.
    uses = TextBlockUse.objects.all()
    assert [(u.block, u.weighing, u.by) for u in uses] == [(blocks["traffic"], weighing, world["users"]["planner"])]
    client.post(url, data)  # saving again does not count twice
    assert TextBlockUse.objects.count() == 1
    page = client.get(_list_url(world["town"])).content.decode()
    assert f'data-block="{blocks["traffic"].pk}"' in page
    assert 'data-uses="1"' in page and "1-mal" in page


def test_group_answer_with_a_block(client, world, blocks):
    client.force_login(world["users"]["planner"])
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    ids = [s.pk for s in world["statements"][:3]]
    group = services.statements_group(consultation=world["consultation"], by=SYSTEM, statement_ids=ids, label="Brief")
    url = reverse("workbench:group", args=[world["consultation"].pk, group.pk])
    page = client.get(url).content.decode()
    assert page.index(">Verkehr (") < page.index(">Dank<")  # the members' topic first
    response = client.post(
        url, {"decision": "", "response": "", "text_block": blocks["general"].pk, "insert_block": ""}
    )
    assert response.status_code == 200 and "Danke für Ihre Hinweise." in response.content.decode()
    response = client.post(
        url,
        {"decision": "noted", "response": "Danke für Ihre Hinweise.", "inserted_blocks": str(blocks["general"].pk)},
    )
    assert response.status_code == 302
    assert set(Weighing.objects.filter(statement_id__in=ids).values_list("response", flat=True)) == {
        "Danke für Ihre Hinweise."
    }
    use = TextBlockUse.objects.get()
    assert use.block == blocks["general"] and use.group == group


def test_services_check_permissions(world, blocks):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        text_blocks.text_block_create(municipality=world["town"], by=world["users"]["moderator"], title="X", text="X")
    with pytest.raises(PermissionDenied):
        text_blocks.text_block_delete(block=blocks["traffic"], by=world["users"]["foreign_planner"])
    assert TextBlock.objects.filter(pk=blocks["traffic"].pk).exists()


def test_index_and_weighing_page_link_to_the_blocks(client, world, blocks):
    client.force_login(world["users"]["moderator"])
    page = client.get(reverse("workbench:index")).content.decode()
    assert _list_url(world["town"]) in page and _list_url(world["other"]) not in page
    client.force_login(world["users"]["planner"])
    assert _list_url(world["town"]) in client.get(_weighing_url(world)).content.decode()
