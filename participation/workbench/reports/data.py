"""Collect the report rows of a consultation in one query."""

from django.utils import timezone

from participation.models import Consultation
from participation.periods import local_date

from ..queries import weighed_statements
from ..services import weighings_ensure


def report_rows(consultation: Consultation, *, statement_ids=None) -> list[dict]:
    """Return one dict per weighed statement (ordered by number) with everything the columns need."""
    weighings_ensure(consultation=consultation)
    qs = weighed_statements(consultation)
    if statement_ids is not None:
        qs = qs.filter(id__in=statement_ids)
    values = qs.order_by("weighing__number").values(
        "id", "comment", "user_name", "user_email", "postal_address", "submit_date", "received_on", "channel",
        "topic", "location", "drawn_area", "late", "feature_id", "feature__source_id", "feature__layer__name",
        "weighing__number", "weighing__decision", "weighing__response", "weighing__organisation",
        "weighing__group__label",
    )
    rows = []
    pseudonym = str(_pseudonym_template())
    for v in values:
        point = v["location"]
        if point is None and v["drawn_area"] is not None:
            point = v["drawn_area"].point_on_surface
        feature_label = ""
        if v["feature_id"]:
            feature_label = f"{v['feature__layer__name']}: {v['feature__source_id'] or '#' + str(v['feature_id'])}"
        rows.append(
            {
                "id": v["id"],
                "number": v["weighing__number"],
                "pseudonym": v["weighing__organisation"] or pseudonym % {"number": v["weighing__number"]},
                "user_name": v["user_name"],
                "user_email": v["user_email"],
                "postal_address": v["postal_address"],
                "received": v["received_on"] or local_date(v["submit_date"]),
                "submitted_at": timezone.localtime(v["submit_date"]),
                "late": v["late"],
                "channel": v["channel"],
                "topic": v["topic"],
                "feature_label": feature_label,
                "comment": v["comment"],
                "point": point,
                "area": v["drawn_area"],
                "group_label": v["weighing__group__label"] or "",
                "response": v["weighing__response"],
                "decision": v["weighing__decision"],
            }
        )
    return rows


def _pseudonym_template():
    from django.utils.translation import gettext

    return gettext("Bürger/in %(number)s")
