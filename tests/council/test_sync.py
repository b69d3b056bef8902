import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from council.models import AgendaItem, Meeting, OParlSource, Organization, Paper
from council.oparl import USER_AGENT, OParlError
from council.services import oparl_source_update
from council.sync import oparl_sync
from plans.rules import SYSTEM
from tests.factories import MembershipFactory

from .conftest import paper_document

pytestmark = pytest.mark.django_db

LISTS = ("/oparl/v1/body/1/organizations", "/oparl/v1/body/1/meetings", "/oparl/v1/body/1/papers")


def test_first_sync_mirrors_two_meetings_with_their_agenda_items_and_papers(council):
    result = oparl_sync(source=council.source, by=council.planner)

    assert result["organizations"] == {"new": 3, "changed": 0, "deleted": 0}
    assert result["meetings"] == {"new": 2, "changed": 0, "deleted": 0}
    assert result["agenda_items"] == {"new": 3, "changed": 0, "deleted": 0}
    assert result["papers"] == {"new": 3, "changed": 0, "deleted": 0}
    meeting = Meeting.objects.get(oparl_id=council.id("/oparl/v1/meeting/1"))
    assert meeting.name == "5. Sitzung des Bau- und Planungsausschusses"
    assert meeting.start == dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    assert [o.name for o in meeting.organizations.all()] == ["Bau- und Planungsausschuss"]
    item = AgendaItem.objects.get(oparl_id=council.id("/oparl/v1/agendaitem/3"))
    assert (item.meeting.name, item.number, item.result) == (
        "12. Sitzung der Stadtverordnetenversammlung",
        "3",
        "mehrheitlich beschlossen",
    )
    assert item.resolution_text == "Der Bebauungsplan Nr. 12 wird als Satzung beschlossen."
    paper = Paper.objects.get(reference="2026/0150")
    assert item.paper == paper
    assert (paper.paper_type, paper.date, paper.web_url) == (
        "Beschlussvorlage",
        dt.date(2026, 1, 20),
        "https://ris.musterstadt.example/vorlage/2",
    )
    # The file with a javascript: address is left out.
    assert paper.files == [
        {
            "name": "Vorlage 2026/0150",
            "accessUrl": "https://ris.musterstadt.example/datei/2.pdf",
            "mimeType": "application/pdf",
        },
        {
            "name": "Übersichtsplan",
            "accessUrl": "https://ris.musterstadt.example/datei/200.pdf",
            "mimeType": "application/pdf",
        },
    ]
    source = OParlSource.objects.get(pk=council.source.pk)
    assert source.body_name == "Stadt Musterstadt"
    assert source.body_url == council.id("/oparl/v1/body/1")
    assert source.last_sync_at is not None and source.last_error == ""
    # The lists had 3 organisations and 3 papers, 2 a page: both second pages were followed.
    assert [q.get("page") for q in council.server.requested("/oparl/v1/body/1/papers")] == [None, "2"]
    assert all("modified_since" not in q for path in LISTS for q in council.server.requested(path))


def test_the_client_names_itself(council, monkeypatch):
    seen = []
    handler = council.server.httpd.RequestHandlerClass
    original = handler.do_GET

    def recording(self):
        seen.append(self.headers.get("User-Agent"))
        original(self)

    monkeypatch.setattr(handler, "do_GET", recording)
    oparl_sync(source=council.source, by=SYSTEM)

    assert seen and set(seen) == {USER_AGENT}


def test_second_sync_asks_only_for_changes_since_the_first_and_updates_the_changed_paper(council):
    oparl_sync(source=council.source, by=SYSTEM)
    watermark = OParlSource.objects.get(pk=council.source.pk).modified_since
    council.server.requests.clear()
    council.server.put(
        "/oparl/v1/body/1/papers",
        paper_document(
            council.server,
            1,
            "2026/0101",
            "Bebauungsplan Nr. 12 – Aufstellungsbeschluss (geändert)",
            1,
            1,
            modified=timezone.now().isoformat(),
        ),
    )

    result = oparl_sync(source=council.source, by=SYSTEM)

    for path in LISTS:
        queries = council.server.requested(path)
        assert queries and all(
            dt.datetime.fromisoformat(q["modified_since"]) == watermark.replace(microsecond=0) for q in queries
        )
    assert result["papers"] == {"new": 0, "changed": 1, "deleted": 0}
    assert result["meetings"] == result["organizations"] == {"new": 0, "changed": 0, "deleted": 0}
    assert Paper.objects.get(reference="2026/0101").name == "Bebauungsplan Nr. 12 – Aufstellungsbeschluss (geändert)"
    assert OParlSource.objects.get(pk=council.source.pk).modified_since > watermark


def test_watermark_is_the_sync_start_minus_the_overlap(council, settings):
    settings.OPARL_OVERLAP_MINUTES = 10
    before = timezone.now()

    oparl_sync(source=council.source, by=SYSTEM)

    watermark = OParlSource.objects.get(pk=council.source.pk).modified_since
    assert before - dt.timedelta(minutes=10) <= watermark <= timezone.now() - dt.timedelta(minutes=10)


def test_a_paper_deleted_on_the_server_is_marked_deleted_and_keeps_its_data(council):
    oparl_sync(source=council.source, by=SYSTEM)
    council.server.put(
        "/oparl/v1/body/1/papers",
        {
            "id": council.id("/oparl/v1/paper/3"),
            "type": "https://schema.oparl.org/1.1/Paper",
            "deleted": True,
            "modified": timezone.now().isoformat(),
        },
    )

    result = oparl_sync(source=council.source, by=SYSTEM)

    assert result["papers"] == {"new": 0, "changed": 0, "deleted": 1}
    paper = Paper.objects.get(oparl_id=council.id("/oparl/v1/paper/3"))
    assert paper.deleted and paper.reference == "2026/0160"


def test_an_agenda_item_dropped_from_a_changed_meeting_is_marked_deleted(council):
    oparl_sync(source=council.source, by=SYSTEM)
    meeting = next(m for m in council.server.lists["/oparl/v1/body/1/meetings"] if m["id"].endswith("/meeting/1"))
    council.server.put(
        "/oparl/v1/body/1/meetings",
        {**meeting, "agendaItem": meeting["agendaItem"][:1], "cancelled": True, "modified": timezone.now().isoformat()},
    )

    result = oparl_sync(source=council.source, by=SYSTEM)

    assert result["meetings"]["changed"] == 1 and result["agenda_items"]["deleted"] == 1
    assert AgendaItem.objects.get(oparl_id=council.id("/oparl/v1/agendaitem/2")).deleted
    assert Meeting.objects.get(oparl_id=council.id("/oparl/v1/meeting/1")).cancelled


def test_a_server_error_is_retried_and_the_sync_succeeds(council):
    council.server.fail("/oparl/v1/body/1/papers", 503)

    result = oparl_sync(source=council.source, by=SYSTEM)

    assert result["papers"]["new"] == 3
    assert [q.get("page") for q in council.server.requested("/oparl/v1/body/1/papers")] == [None, None, "2"]


def test_a_server_that_stays_down_fails_the_sync_records_the_error_and_keeps_the_watermark(council, settings):
    settings.OPARL_RETRIES = 2
    oparl_sync(source=council.source, by=SYSTEM)
    watermark = OParlSource.objects.get(pk=council.source.pk).modified_since
    council.server.fail("/oparl/v1/body/1/meetings", 500, 502, 503)

    with pytest.raises(OParlError) as raised:
        oparl_sync(source=council.source, by=SYSTEM)

    assert raised.value.code == "unavailable"
    assert len(council.server.requested("/oparl/v1/body/1/meetings")) == 1 + 3  # the first sync, then 3 tries
    source = OParlSource.objects.get(pk=council.source.pk)
    assert "HTTP 503" in source.last_error and source.modified_since == watermark


def test_a_list_longer_than_the_page_limit_is_refused_and_nothing_of_it_written(council, settings):
    settings.OPARL_MAX_PAGES = 1

    with pytest.raises(OParlError) as raised:
        oparl_sync(source=council.source, by=SYSTEM)

    assert raised.value.code == "page_limit"
    assert not Organization.objects.exists()
    assert OParlSource.objects.get(pk=council.source.pk).modified_since is None


def test_a_private_host_is_refused_without_the_allow_list(council, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = []

    with pytest.raises(OParlError) as raised:
        oparl_sync(source=council.source, by=SYSTEM)
    with pytest.raises(ValidationError) as refused:
        oparl_source_update(
            municipality=council.municipality, by=SYSTEM, system_url=council.server.url("/oparl/v1/system")
        )

    assert raised.value.code.startswith("refused_outbound")
    assert council.server.requests == []
    assert refused.value.error_dict["system_url"][0].code == "outbound_not_https"
    with pytest.raises(ValidationError) as internal:
        oparl_source_update(municipality=council.municipality, by=SYSTEM, system_url="https://127.0.0.1/oparl")
    assert internal.value.error_dict["system_url"][0].code == "outbound_internal"


def test_a_redirect_is_followed_but_only_to_an_admitted_host(council):
    council.server.redirects["/oparl/v1/system"] = "/oparl/v1/system-moved"
    council.server.documents["/oparl/v1/system-moved"] = council.server.documents["/oparl/v1/system"]

    assert oparl_sync(source=council.source, by=SYSTEM)["papers"]["new"] == 3

    council.server.redirects["/oparl/v1/body/1"] = "http://10.0.0.1/oparl/v1/body/1"
    with pytest.raises(OParlError) as raised:
        oparl_sync(source=OParlSource.objects.get(pk=council.source.pk), by=SYSTEM)
    assert raised.value.code == "refused_outbound_not_https"


def test_only_the_municipality_planners_may_sync(council):
    foreign = MembershipFactory().user

    with pytest.raises(PermissionDenied):
        oparl_sync(source=council.source, by=foreign)
    assert council.server.requests == []


def test_the_command_syncs_one_municipality_and_reports_the_counts(council):
    out = io.StringIO()

    call_command("sync_oparl", "--municipality", "musterstadt", stdout=out)

    assert "musterstadt: organizations 3 new" in out.getvalue()
    assert "papers 3 new / 0 changed / 0 deleted; 2 suggested links." in out.getvalue()
    assert Paper.objects.count() == 3


def test_the_command_fails_when_a_server_is_down(council, settings):
    settings.OPARL_RETRIES = 0
    council.server.fail("/oparl/v1/system", 503)

    with pytest.raises(CommandError):
        call_command("sync_oparl", stdout=io.StringIO(), stderr=io.StringIO())
    assert "503" in OParlSource.objects.get(pk=council.source.pk).last_error
