from django.urls import path

from . import views

app_name = "geodata"

urlpatterns = [
    path("api/v1/layers/<int:pk>.geojson", views.LayerGeoJSONView.as_view(), name="layer_geojson"),
    path("api/v1/layers/<int:pk>/download/", views.LayerDownloadView.as_view(), name="layer_download"),
    path("api/v1/plans/<int:pk>/layers.gpkg", views.PlanLayersDownloadView.as_view(), name="plan_layers_gpkg"),
    path("tiles/<int:pk>/<int:z>/<int:x>/<int:y>.pbf", views.TileView.as_view(), name="tile"),
]
