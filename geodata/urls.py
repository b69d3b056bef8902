from django.urls import path

from . import address_api, staff_views, version_views, views, views_xplan

app_name = "geodata"

urlpatterns = [
    path("verwaltung/plaene/<int:plan_id>/ebenen/import/", staff_views.LayerImportView.as_view(), name="layer_import"),
    path(
        "verwaltung/plaene/<int:plan_id>/ebenen/<int:layer_id>/entfernen/",
        staff_views.LayerRemoveView.as_view(),
        name="layer_remove",
    ),
    path(
        "verwaltung/plaene/<int:pk>/geltungsbereich/datei/",
        staff_views.PlanAreaUploadView.as_view(),
        name="plan_area_upload",
    ),
    path(
        "verwaltung/plaene/<int:pk>/geltungsbereich/datei/bestaetigen/",
        staff_views.PlanAreaConfirmView.as_view(),
        name="plan_area_confirm",
    ),
    path("verwaltung/plaene/<int:pk>/pruefbericht/", staff_views.PlanValidationView.as_view(), name="plan_validation"),
    path("verwaltung/importe/<int:run_id>/", staff_views.ImportRunView.as_view(), name="import_run"),
    path(
        "verwaltung/importe/<int:run_id>/bestaetigen/",
        staff_views.ImportRunConfirmView.as_view(),
        name="import_run_confirm",
    ),
    path(
        "verwaltung/importe/<int:run_id>/status/", staff_views.ImportRunStatusView.as_view(), name="import_run_status"
    ),
    path("verwaltung/xplan/import/", staff_views.XPlanImportView.as_view(), name="xplan_import"),
    path("api/v1/adressen/", address_api.AddressSearchView.as_view(), name="address_search"),
    path("api/v1/layers/<int:pk>.geojson", views.LayerGeoJSONView.as_view(), name="layer_geojson"),
    path("api/v1/layers/<int:pk>/raster.png", views_xplan.LayerRasterView.as_view(), name="layer_raster"),
    path("api/v1/layers/<int:pk>/download/", views.LayerDownloadView.as_view(), name="layer_download"),
    path("api/v1/plans/<int:pk>/layers.gpkg", views.PlanLayersDownloadView.as_view(), name="plan_layers_gpkg"),
    path(
        "<slug:municipality>/plaene/<slug:plan>/fassungen/",
        version_views.PlanVersionListView.as_view(),
        name="plan_versions",
    ),
    path(
        "<slug:municipality>/plaene/<slug:plan>/fassungen/<int:number>/",
        version_views.PlanVersionDetailView.as_view(),
        name="plan_version",
    ),
    path("api/v1/plans/<int:pk>/xplan.gml", views_xplan.PlanXPlanDownloadView.as_view(), name="plan_xplan"),
    path("tiles/<int:pk>/<int:z>/<int:x>/<int:y>.pbf", views.TileView.as_view(), name="tile"),
]
