from django.urls import path

from . import staff_documents, staff_views, views

app_name = "plans"

# The plan map, plan page and API (portal.urls) join this namespace in config/urls.py, after these
# patterns, so "<municipality>/" does not catch "verwaltung/".

urlpatterns = [
    path("rechtliches/", views.LegalIndexView.as_view(), name="legal_index"),
    path("verwaltung/", staff_views.StaffDashboardView.as_view(), name="staff_dashboard"),
    path("verwaltung/plaene/neu/", staff_views.PlanCreateView.as_view(), name="staff_plan_create"),
    path("verwaltung/plaene/<int:pk>/", staff_views.PlanCockpitView.as_view(), name="staff_plan"),
    path("verwaltung/plaene/<int:pk>/bearbeiten/", staff_views.PlanEditView.as_view(), name="staff_plan_edit"),
    path(
        "verwaltung/plaene/<int:pk>/veroeffentlichen/",
        staff_views.PlanPublishView.as_view(publish=True),
        name="staff_plan_publish",
    ),
    path(
        "verwaltung/plaene/<int:pk>/offline/",
        staff_views.PlanPublishView.as_view(publish=False),
        name="staff_plan_unpublish",
    ),
    path("verwaltung/plaene/<int:pk>/verfahrensschritte/", staff_views.StageRecordView.as_view(), name="staff_stage"),
    path(
        "verwaltung/plaene/<int:pk>/dokumente/",
        staff_documents.DocumentUploadView.as_view(),
        name="staff_document_upload",
    ),
    path(
        "verwaltung/plaene/<int:pk>/dokumente/<int:document>/verschieben/",
        staff_documents.DocumentMoveView.as_view(),
        name="staff_document_move",
    ),
    path(
        "verwaltung/plaene/<int:pk>/dokumente/<int:document>/ersetzen/",
        staff_documents.DocumentReplaceView.as_view(),
        name="staff_document_replace",
    ),
    path(
        "verwaltung/plaene/<int:pk>/dokumente/<int:document>/zurueckziehen/",
        staff_documents.DocumentWithdrawView.as_view(),
        name="staff_document_withdraw",
    ),
    path(
        "verwaltung/plaene/<int:pk>/dokumente/<int:document>/abschnitte/",
        staff_documents.DocumentSectionsView.as_view(),
        name="staff_document_sections",
    ),
    path(
        "verwaltung/plaene/<int:pk>/dokumente/<int:document>/abschnitte/einlesen/",
        staff_documents.DocumentSectionsRefreshView.as_view(),
        name="staff_document_sections_refresh",
    ),
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
