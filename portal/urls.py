"""Public plan map, plan page and open-data API; served in the `plans` URL namespace (see config/urls.py)."""

from django.urls import path

from . import api, reading, views

urlpatterns = [
    path("", views.PlanMapView.as_view(), name="map"),
    path("api/v1/plans/", api.PlanCollectionView.as_view(), name="api_list"),
    path("api/v1/plans/<int:pk>/", api.PlanDetailApiView.as_view(), name="api_detail"),
    path("<slug:municipality>/", views.PlanMapView.as_view(), name="municipality"),
    path("<slug:municipality>/plaene/<slug:plan>/", views.PlanDetailView.as_view(), name="detail"),
    path(
        "<slug:municipality>/plaene/<slug:plan>/dokumente/<int:pk>/lesen/",
        reading.DocumentReadView.as_view(),
        name="document_read",
    ),
]
