"""Reports of the workbench: statistics and the map of statements (the downloads are in exports.py)."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import services
from ..charts import bar_chart_svg, day_chart_svg
from ..models import Decision
from ..reports.data import coordinate
from ..selectors import weighed_statements
from ..stats import consultation_statistics
from .base import ConsultationStaffMixin


class StatisticsView(ConsultationStaffMixin, TemplateView):
    """Charts: statements per day, per topic, per decision, per channel."""

    template_name = "workbench/statistics.html"
    tab = "statistics"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stats = consultation_statistics(self.consultation)
        context.update(
            stats=stats,
            day_chart=day_chart_svg(stats.per_day, title=_("Stellungnahmen pro Tag")),
            topic_chart=bar_chart_svg(stats.per_topic, title=_("Stellungnahmen nach Thema")),
            decision_chart=bar_chart_svg(stats.per_decision, title=_("Stellungnahmen nach Entscheidung")),
            channel_chart=bar_chart_svg(stats.per_channel, title=_("Stellungnahmen nach Eingangsweg")),
        )
        return context


class MapView(ConsultationStaffMixin, TemplateView):
    """Map of statement locations: markers and a heat map."""

    template_name = "workbench/map.html"
    tab = "map"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.weighings_ensure(consultation=self.consultation, by=self.request.user)
        points = [
            [round(y, 6), round(x, 6), number, decision]
            for number, decision, x, y in (
                weighed_statements(self.consultation)
                .filter(Q(location__isnull=False) | Q(drawn_area__isnull=False) | Q(drawn_line__isnull=False))
                .annotate(px=coordinate("ST_X"), py=coordinate("ST_Y"))
                .order_by("weighing__number")
                .values_list("weighing__number", "weighing__decision", "px", "py")
            )
        ]
        context["map_data"] = {
            "area": self.consultation.plan.area.geojson,
            "points": points,
            "decisions": dict(Decision.choices),
        }
        return context
