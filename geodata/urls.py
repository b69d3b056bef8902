from django.urls import path

from . import views

app_name = "geodata"

urlpatterns = [
    path("verwaltung/plaene/<int:plan_id>/ebenen/import/", views.LayerImportView.as_view(), name="layer_import"),
    path(
        "verwaltung/plaene/<int:plan_id>/ebenen/import/bestaetigen/",
        views.LayerImportConfirmView.as_view(),
        name="layer_import_confirm",
    ),
    path("verwaltung/importe/<int:run_id>/", views.ImportRunView.as_view(), name="import_run"),
    path("verwaltung/importe/<int:run_id>/status/", views.ImportRunStatusView.as_view(), name="import_run_status"),
    path("verwaltung/xplan/import/", views.XPlanImportView.as_view(), name="xplan_import"),
]
