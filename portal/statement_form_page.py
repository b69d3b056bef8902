"""The plan page with an invalid statement form: the citizen keeps the map, their input and the error summary.

Registered in PortalConfig.ready() as participation's invalid-form renderer (participation.feedback), so
the participation app posts to its own view yet never imports the page that composes it.
"""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .views import PlanDetailView


def render_plan_page_with_form(request: HttpRequest, consultation, form) -> HttpResponse:
    """Return the plan page of `consultation` (status 400) showing the bound, invalid `form` in place of a fresh one."""
    plan = consultation.plan
    view = PlanDetailView()
    view.setup(request, municipality=plan.municipality.slug, plan=plan.slug)
    view.object = view.get_object()
    context = view.get_context_data(object=view.object)
    participation = context["p"]
    if participation["open_consultation"] is not None and participation["open_consultation"].pk == consultation.pk:
        participation["form"] = form
    response = TemplateResponse(request, view.template_name, context, status=400)
    response["Cache-Control"] = "private, no-store"  # the page carries what the citizen typed
    return response.render()
