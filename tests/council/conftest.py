"""A council system on a local OParl server: three committees, two meetings with agenda items, three papers."""

import dataclasses

import pytest

from council.services import oparl_source_update
from plans.rules import SYSTEM
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory

from .oparl_server import OParlServer

V = "https://schema.oparl.org/1.1/"
EARLIER = "2026-01-15T10:00:00+01:00"


@dataclasses.dataclass
class Council:
    server: OParlServer
    municipality: object
    plan: object
    planner: object
    source: object

    def id(self, path: str) -> str:
        return self.server.url(path)


def build_documents(server: OParlServer) -> None:
    """Write the OParl documents of the Stadt Musterstadt council system."""
    url = server.url
    server.documents["/oparl/v1/system"] = {
        "id": url("/oparl/v1/system"),
        "type": V + "System",
        "oparlVersion": "https://schema.oparl.org/1.1/",
        "body": url("/oparl/v1/bodies"),
    }
    body = {
        "id": url("/oparl/v1/body/1"),
        "type": V + "Body",
        "name": "Stadt Musterstadt",
        "organization": url("/oparl/v1/body/1/organizations"),
        "meeting": url("/oparl/v1/body/1/meetings"),
        "paper": url("/oparl/v1/body/1/papers"),
        "modified": EARLIER,
    }
    server.lists["/oparl/v1/bodies"] = [body]
    server.documents["/oparl/v1/body/1"] = body
    for number, name in (
        (1, "Bau- und Planungsausschuss"),
        (2, "Stadtverordnetenversammlung"),
        (3, "Haupt- und Finanzausschuss"),
    ):
        server.put(
            "/oparl/v1/body/1/organizations",
            {
                "id": url(f"/oparl/v1/organization/{number}"),
                "type": V + "Organization",
                "name": name,
                "modified": EARLIER,
            },
        )
    server.put(
        "/oparl/v1/body/1/meetings",
        {
            "id": url("/oparl/v1/meeting/1"),
            "type": V + "Meeting",
            "name": "5. Sitzung des Bau- und Planungsausschusses",
            "start": "2026-02-10T18:00:00+01:00",
            "end": "2026-02-10T20:30:00+01:00",
            "organization": [url("/oparl/v1/organization/1")],
            "web": "https://ris.musterstadt.example/sitzung/1",
            "modified": EARLIER,
            "agendaItem": [
                {
                    "id": url("/oparl/v1/agendaitem/1"),
                    "type": V + "AgendaItem",
                    "number": "5",
                    "name": "Bebauungsplan Nr. 12 „Am Bach“ – Aufstellungsbeschluss",
                    "public": True,
                    "result": "einstimmig beschlossen",
                    "resolutionText": "Die Aufstellung des Bebauungsplans Nr. 12 wird beschlossen.",
                    "modified": EARLIER,
                },
                {
                    "id": url("/oparl/v1/agendaitem/2"),
                    "type": V + "AgendaItem",
                    "number": "6",
                    "name": "Bebauungsplan Nr. 123 „Gewerbe Ost“ – Entwurfsbeschluss",
                    "public": True,
                    "result": "vertagt",
                    "modified": EARLIER,
                },
            ],
        },
    )
    server.put(
        "/oparl/v1/body/1/meetings",
        {
            "id": url("/oparl/v1/meeting/2"),
            "type": V + "Meeting",
            "name": "12. Sitzung der Stadtverordnetenversammlung",
            "start": "2026-03-05T19:00:00+01:00",
            "organization": [url("/oparl/v1/organization/2")],
            "modified": EARLIER,
            "agendaItem": [
                {
                    "id": url("/oparl/v1/agendaitem/3"),
                    "type": V + "AgendaItem",
                    "number": "3",
                    "name": "Bebauungsplan Nr. 12 „Am Bach“ – Abwägung und Satzungsbeschluss",
                    "public": True,
                    "result": "mehrheitlich beschlossen",
                    "resolutionText": "Der Bebauungsplan Nr. 12 wird als Satzung beschlossen.",
                    "modified": EARLIER,
                }
            ],
        },
    )
    papers = [
        (1, "2026/0101", "Bebauungsplan Nr. 12 „Am Bach“ – Aufstellungsbeschluss", 1, 1),
        (2, "2026/0150", "Bebauungsplan Nr. 12 „Am Bach“ – Abwägung und Satzungsbeschluss", 3, 2),
        (3, "2026/0160", "Bebauungsplan Nr. 123 „Gewerbe Ost“ – Entwurfsbeschluss", 2, 1),
    ]
    for number, reference, name, item, meeting in papers:
        server.put("/oparl/v1/body/1/papers", paper_document(server, number, reference, name, item, meeting))


def paper_document(server, number, reference, name, item, meeting, modified=EARLIER) -> dict:
    url = server.url
    return {
        "id": url(f"/oparl/v1/paper/{number}"),
        "type": V + "Paper",
        "name": name,
        "reference": reference,
        "date": "2026-01-20",
        "paperType": "Beschlussvorlage",
        "web": f"https://ris.musterstadt.example/vorlage/{number}",
        "mainFile": {
            "id": url(f"/oparl/v1/file/{number}"),
            "type": V + "File",
            "name": f"Vorlage {reference}",
            "fileName": f"vorlage-{number}.pdf",
            "mimeType": "application/pdf",
            "accessUrl": f"https://ris.musterstadt.example/datei/{number}.pdf",
        },
        "auxiliaryFile": [
            {
                "id": url(f"/oparl/v1/file/{number}00"),
                "type": V + "File",
                "name": "Übersichtsplan",
                "mimeType": "application/pdf",
                "accessUrl": f"https://ris.musterstadt.example/datei/{number}00.pdf",
            },
            {
                "id": url(f"/oparl/v1/file/{number}01"),
                "type": V + "File",
                "name": "Kaputt",
                "accessUrl": "javascript:alert(1)",
            },
        ],
        "consultation": [
            {
                "id": url(f"/oparl/v1/consultation/{number}"),
                "type": V + "Consultation",
                "agendaItem": url(f"/oparl/v1/agendaitem/{item}"),
                "meeting": url(f"/oparl/v1/meeting/{meeting}"),
                "organization": [url(f"/oparl/v1/organization/{meeting}")],
                "authoritative": True,
                "role": "Entscheidung",
            }
        ],
        "modified": modified,
    }


@pytest.fixture(autouse=True)
def _council_settings(settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.OPARL_BACKOFF = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def oparl_server():
    server = OParlServer().start()
    build_documents(server)
    yield server
    server.stop()


@pytest.fixture
def council(db, oparl_server):
    municipality = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    plan = PlanFactory(municipality=municipality, number="Nr. 12", title="Am Bach", slug="am-bach")
    planner = MembershipFactory(municipality=municipality).user
    source = oparl_source_update(municipality=municipality, by=SYSTEM, system_url=oparl_server.url("/oparl/v1/system"))
    return Council(server=oparl_server, municipality=municipality, plan=plan, planner=planner, source=source)
