from django.urls import path

from . import api, staff_views, views

app_name = "plans"

urlpatterns = [
    path("", views.PlanMapView.as_view(), name="map"),
    path("rechtliches/", views.LegalIndexView.as_view(), name="legal_index"),
    path("verwaltung/", staff_views.StaffDashboardView.as_view(), name="staff_dashboard"),
    path("api/v1/plans/", api.PlanCollectionView.as_view(), name="api_list"),
    path("api/v1/plans/<int:pk>/", api.PlanDetailApiView.as_view(), name="api_detail"),
    path("<slug:municipality>/", views.PlanMapView.as_view(), name="municipality"),
    path("<slug:municipality>/plaene/<slug:plan>/", views.PlanDetailView.as_view(), name="detail"),
    path(
        "<slug:municipality>/plaene/<slug:plan>/dokumente/<int:pk>/",
        views.document_download,
        name="document",
    ),
    path("<slug:municipality>/impressum/", views.LegalPageView.as_view(page="impressum"), name="imprint"),
    path("<slug:municipality>/datenschutz/", views.LegalPageView.as_view(page="datenschutz"), name="privacy"),
    path(
        "<slug:municipality>/barrierefreiheit/",
        views.LegalPageView.as_view(page="barrierefreiheit"),
        name="accessibility",
    ),
    path(
        "<slug:municipality>/leichte-sprache/",
        views.LegalPageView.as_view(page="leichte-sprache"),
        name="easy_language",
    ),
]
