"""Public plan map, plan page and open-data API; served in the `plans` URL namespace (see config/urls.py)."""

from django.urls import path

from . import api, my_statement_views, reading, views

urlpatterns = [
    path("", views.PlanMapView.as_view(), name="map"),
    path("api/v1/plans/", api.PlanCollectionView.as_view(), name="api_list"),
    path("api/v1/plans/<int:pk>/", api.PlanDetailApiView.as_view(), name="api_detail"),
    path("meine-stellungnahme/<str:token>/", my_statement_views.MyStatementView.as_view(), name="my_statement"),
    path(
        "meine-stellungnahme/<str:token>/zurueckziehen/",
        my_statement_views.MyStatementWithdrawView.as_view(),
        name="my_statement_withdraw",
    ),
    path(
        "meine-stellungnahme/<str:token>/loeschung/",
        my_statement_views.MyStatementErasureView.as_view(),
        name="my_statement_erasure",
    ),
    path(
        "meine-stellungnahme/<str:token>/eingangsbestaetigung.pdf",
        my_statement_views.MyStatementReceiptView.as_view(),
        name="my_statement_receipt",
    ),
    path("<slug:municipality>/", views.PlanMapView.as_view(), name="municipality"),
    path("<slug:municipality>/plaene/<slug:plan>/", views.PlanDetailView.as_view(), name="detail"),
    path(
        "<slug:municipality>/plaene/<slug:plan>/dokumente/<int:pk>/lesen/",
        reading.DocumentReadView.as_view(),
        name="document_read",
    ),
]
