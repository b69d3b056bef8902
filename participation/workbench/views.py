"""Staff workbench (Abwägung) and the public result page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from participation.models import Consultation
from plans import rules
from plans.models import Membership
from plans.staff import MunicipalityPermissionMixin

from . import services
from .charts import bar_chart_svg, day_chart_svg
from .forms import BulkActionForm, FilterForm, GroupAnswerForm, GroupSimilarForm, PublishForm, WeighingForm
from .models import ConsultationResult, Decision, ResultNotification, StatementGroup, Weighing
from .queries import late_q, weighed_statements
from .reports import FORMATS, export_filename, export_report
from .reports.data import coordinate
from .stats import consultation_statistics

PAGE_SIZE = 50


class WorkbenchIndexView(LoginRequiredMixin, TemplateView):
    """List the consultations of the municipalities the user works for."""

    template_name = "workbench/index.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not rules.is_staff_anywhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consultations"] = (
            Consultation.objects.for_user(self.request.user)
            .select_related("plan__municipality")
            .annotate(
                statement_count=Count(
                    "statements",
                    filter=Q(
                        statements__level=0, statements__is_official=False, statements__confirmed_at__isnull=False
                    ),
                )
            )
            .order_by("plan__municipality__name", "plan__title", "start_date")
        )
        return context


class ConsultationStaffMixin(MunicipalityPermissionMixin):
    """Resolve the consultation from the URL; viewing needs 'moderate', changing needs 'manage'."""

    permission = "moderate"
    write_permission = "manage"

    def get_municipality(self):
        self.consultation = get_object_or_404(
            Consultation.objects.select_related("plan__municipality"), pk=self.kwargs["consultation_id"]
        )
        return self.consultation.plan.municipality

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self.permission = self.write_permission
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consultation"] = self.consultation
        context["tab"] = getattr(self, "tab", "")
        context["plan"] = self.consultation.plan
        # The base mixin looked the role up once already (context["staff_role"]): no further queries.
        context["can_decide"] = context["staff_role"] == Membership.Role.PLANNER
        context["can_export_personal"] = context["can_decide"]  # rules.can_export_personal_data: planners only
        context["formats"] = FORMATS.values()
        return context

    def table_url(self, query: str = "") -> str:
        url = reverse("workbench:table", args=[self.consultation.pk])
        return f"{url}?{query}" if query else url


class StatementTableView(ConsultationStaffMixin, TemplateView):
    """The filterable, paginated table of a consultation's statements with counts and bulk actions."""

    template_name = "workbench/table.html"
    tab = "table"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.weighings_ensure(consultation=self.consultation)
        # Counting and paginating need no per-row "late" expression; only the 50 shown rows get it.
        base = weighed_statements(self.consultation, annotate_late=False)
        filters = FilterForm(self.request.GET or None, consultation=self.consultation)
        filtered = filters.apply(base) if self.request.GET else base
        # One scan yields the ordered ids of all matches (count and page from the same list); then only
        # the 50 visible rows are loaded with their long texts.
        ids = list(filtered.order_by("weighing__number").values_list("id", flat=True))
        page = Paginator(ids, PAGE_SIZE).get_page(self.request.GET.get("page"))
        page.object_list = list(
            weighed_statements(self.consultation)
            .filter(id__in=list(page.object_list))
            .select_related("weighing__group", "feature__layer")
            .order_by("weighing__number")
        )
        # Counts over the whole consultation: cached per data version (every service write bumps it)
        # and per effective end (extending or closing the period changes which statements are late).
        counts_key = (
            f"workbench:counts:{self.consultation.pk}:{services.workbench_version(self.consultation)}:"
            f"{self.consultation.ends_at.timestamp()}"
        )
        counts = cache.get(counts_key)
        if counts is None:
            counts = base.aggregate(
                total=Count("id"),
                late=Count("id", filter=late_q(self.consultation)),
                open=Count("id", filter=Q(weighing__decision="")),
                **{value: Count("id", filter=Q(weighing__decision=value)) for value in Decision.values},
            )
            cache.set(counts_key, counts, 3600)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=filters,
            page=page,
            counts=counts,
            decision_counts=[(label, counts[value]) for value, label in Decision.choices],
            query=query.urlencode(),
            bulk_form=BulkActionForm(initial={"filters": query.urlencode()}, auto_id="bulk-%s"),
            similar_form=GroupSimilarForm(),
            groups=StatementGroup.objects.filter(consultation=self.consultation).annotate(size=Count("weighings")),
            result=ConsultationResult.objects.filter(consultation=self.consultation).first(),
            notification_counts=dict(
                ResultNotification.objects.filter(statement__consultation=self.consultation)
                .values_list("status")
                .annotate(n=Count("id"))
            ),
            publish_form=PublishForm(initial={"notify": True}),
        )
        return context


class BulkActionView(ConsultationStaffMixin, View):
    """Apply a decision/response, grouping or ungrouping to selected or all filtered statements."""

    def post(self, request, *args, **kwargs):
        ids = list(weighed_statements(self.consultation).values_list("id", flat=True))
        form = BulkActionForm(request.POST, statement_ids=ids)
        back = self.table_url(request.POST.get("filters", ""))
        if not form.is_valid():
            for error in form.non_field_errors() + [e for f in form for e in f.errors]:
                messages.error(request, error)
            return redirect(back)
        data = form.cleaned_data
        if data["scope"] == "filtered":
            filters = FilterForm(QueryDict(data["filters"]), consultation=self.consultation)
            selected = list(filters.apply(weighed_statements(self.consultation)).values_list("id", flat=True))
        else:
            selected = data["statements"]
        if data["action"] == "decide":
            count = services.weighings_bulk_update(
                consultation=self.consultation,
                statement_ids=selected,
                by=request.user,
                decision=data["decision"] or None,
                response=data["response"] or None,
            )
            messages.success(request, _("%(count)s Stellungnahmen aktualisiert.") % {"count": count})
        elif data["action"] == "group":
            group = services.statements_group(
                consultation=self.consultation, statement_ids=selected, label=data["label"]
            )
            messages.success(request, _("Gruppe „%(label)s“ angelegt.") % {"label": group.label})
        else:
            count = services.statements_ungroup(consultation=self.consultation, statement_ids=selected)
            messages.success(request, _("%(count)s Stellungnahmen aus Gruppen gelöst.") % {"count": count})
        return redirect(back)


class GroupSimilarView(ConsultationStaffMixin, View):
    """Group identical and near-identical statements."""

    def post(self, request, *args, **kwargs):
        form = GroupSimilarForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Bitte geben Sie eine Ähnlichkeit zwischen 0,5 und 1,0 an."))
            return redirect(self.table_url())
        result = services.statements_group_similar(
            consultation=self.consultation, threshold=form.cleaned_data["threshold"]
        )
        messages.success(
            request,
            _("%(groups)s neue Gruppen, %(statements)s Stellungnahmen zugeordnet.")
            % {"groups": result["groups_created"], "statements": result["statements_grouped"]},
        )
        return redirect(self.table_url())


class WeighingEditView(ConsultationStaffMixin, TemplateView):
    """Show one statement with its context and edit its weighing."""

    template_name = "workbench/weighing.html"

    def get_weighing(self):
        services.weighings_ensure(consultation=self.consultation)
        return get_object_or_404(
            Weighing.objects.select_related("statement", "group", "updated_by", "statement__feature__layer"),
            statement_id=self.kwargs["statement_id"],
            statement__consultation=self.consultation,
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        weighing = getattr(self, "weighing", None) or self.get_weighing()
        statement = weighing.statement
        context.update(
            weighing=weighing,
            statement=statement,
            late=statement.is_late,
            replies=type(statement).objects.filter(thread_id=statement.thread_id, level__gt=0).order_by("submit_date"),
            form=form or WeighingForm(instance=weighing),
            show_personal=context["can_export_personal"],
            group_members=(
                weighing.group.weighings.select_related("statement").exclude(pk=weighing.pk).order_by("number")[:50]
                if weighing.group
                else []
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.weighing = self.get_weighing()
        form = WeighingForm(request.POST, instance=self.weighing)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        services.weighing_update(weighing=self.weighing, by=request.user, **form.cleaned_data)
        messages.success(request, _("Abwägung zu Nr. %(number)s gespeichert.") % {"number": self.weighing.number})
        return redirect(self.table_url())


class GroupView(ConsultationStaffMixin, TemplateView):
    """Show a group of similar statements and answer all of them at once."""

    template_name = "workbench/group.html"

    def get_group(self):
        return get_object_or_404(StatementGroup, pk=self.kwargs["group_id"], consultation=self.consultation)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.get_group()
        context.update(
            group=group,
            members=group.weighings.select_related("statement").order_by("number"),
            form=form or GroupAnswerForm(initial={"decision": group.decision, "response": group.response}),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = GroupAnswerForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        count = services.group_answer(group=self.get_group(), by=request.user, **form.cleaned_data)
        messages.success(request, _("%(count)s Stellungnahmen der Gruppe beantwortet.") % {"count": count})
        return redirect(self.table_url())


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
        services.weighings_ensure(consultation=self.consultation)
        points = [
            [round(y, 6), round(x, 6), number, decision]
            for number, decision, x, y in (
                weighed_statements(self.consultation)
                .filter(Q(location__isnull=False) | Q(drawn_area__isnull=False))
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


class ExportView(ConsultationStaffMixin, View):
    """Download the Abwägungstabelle; the variant with personal data only for planning-office staff, logged."""

    def get(self, request, *args, **kwargs):
        format = self.kwargs["format"]
        if format not in FORMATS:
            raise Http404
        personal = request.GET.get("personal") == "1"
        if personal and not rules.can_export_personal_data(request.user, self.municipality):
            raise PermissionDenied
        with transaction.atomic():
            data, rows = export_report(consultation=self.consultation, format=format, personal=personal)
            if personal:
                services.personal_data_export_log(
                    consultation=self.consultation, user=request.user, via="web", format=format, rows=rows
                )
        response = HttpResponse(data, content_type=FORMATS[format].content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{export_filename(self.consultation, format, personal)}"'
        )
        response["Cache-Control"] = "no-store"
        return response


class PublishResultView(ConsultationStaffMixin, View):
    """Publish (and notify submitters) or withdraw the public result page."""

    def post(self, request, *args, **kwargs):
        form = PublishForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Ungültige Aktion."))
        elif form.cleaned_data["action"] == "publish":
            result = services.result_publish(
                consultation=self.consultation, by=request.user, notify=form.cleaned_data["notify"]
            )
            messages.success(
                request,
                _("Ergebnis veröffentlicht; %(count)s Benachrichtigungen eingeplant.") % {"count": result["queued"]},
            )
        else:
            services.result_unpublish(consultation=self.consultation)
            messages.success(request, _("Ergebnisseite offline genommen."))
        return redirect(self.table_url())


class PublicResultView(TemplateView):
    """Public, pseudonymised statements with the administration's responses, once staff published them."""

    template_name = "workbench/public_result.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        consultation = get_object_or_404(
            Consultation.objects.select_related("plan__municipality", "result"), pk=self.kwargs["consultation_id"]
        )
        result = getattr(consultation, "result", None)
        if not consultation.plan.is_public or result is None or result.published_at is None:
            raise Http404
        weighings = (
            Weighing.objects.filter(statement__in=weighed_statements(consultation).filter(is_removed=False))
            .select_related("statement")
            .only(
                "number",
                "decision",
                "response",
                "organisation",
                "statement__comment",
                "statement__submit_date",
                "statement__received_on",
                "statement__topic",
            )
            .order_by("number")
        )
        context.update(
            consultation=consultation,
            plan=consultation.plan,
            municipality=consultation.plan.municipality,
            result=result,
            page=Paginator(weighings, 100).get_page(self.request.GET.get("page")),
        )
        return context
