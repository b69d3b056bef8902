from django.urls import path

from . import public_views, views

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
    path("api/v1/layers/<int:pk>.geojson", public_views.LayerGeoJSONView.as_view(), name="layer_geojson"),
    path("api/v1/layers/<int:pk>/download/", public_views.LayerDownloadView.as_view(), name="layer_download"),
    path("api/v1/plans/<int:pk>/layers.gpkg", public_views.PlanLayersDownloadView.as_view(), name="plan_layers_gpkg"),
    path("tiles/<int:pk>/<int:z>/<int:x>/<int:y>.pbf", public_views.TileView.as_view(), name="tile"),
]
