from django.urls import path

from . import staff_views

app_name = "council"

urlpatterns = [
    path("verwaltung/plaene/<int:pk>/gremien/", staff_views.PlanCouncilView.as_view(), name="plan"),
    path("verwaltung/plaene/<int:pk>/gremien/verknuepfen/", staff_views.LinkCreateView.as_view(), name="link_create"),
    path(
        "verwaltung/plaene/<int:pk>/gremien/<int:link>/bestaetigen/",
        staff_views.LinkConfirmView.as_view(),
        name="link_confirm",
    ),
    path(
        "verwaltung/plaene/<int:pk>/gremien/<int:link>/ablehnen/",
        staff_views.LinkRejectView.as_view(),
        name="link_reject",
    ),
    path("verwaltung/gremien/<int:municipality_id>/", staff_views.SourceUpdateView.as_view(), name="source"),
    path(
        "verwaltung/gremien/<int:municipality_id>/abgleichen/", staff_views.SourceSyncView.as_view(), name="source_sync"
    ),
]
