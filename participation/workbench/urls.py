from django.urls import path

from . import views

app_name = "workbench"

urlpatterns = [
    path("verwaltung/abwaegung/", views.WorkbenchIndexView.as_view(), name="index"),
    path("verwaltung/abwaegung/<int:consultation_id>/", views.StatementTableView.as_view(), name="table"),
    path("verwaltung/abwaegung/<int:consultation_id>/sammelaktion/", views.BulkActionView.as_view(), name="bulk"),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/gruppieren/", views.GroupSimilarView.as_view(), name="group_similar"
    ),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/stellungnahme/<int:statement_id>/",
        views.WeighingEditView.as_view(),
        name="weighing",
    ),
    path("verwaltung/abwaegung/<int:consultation_id>/gruppe/<int:group_id>/", views.GroupView.as_view(), name="group"),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/gruppe/<int:group_id>/einsichtnahme/",
        views.GroupInspectionView.as_view(),
        name="group_inspection",
    ),
    path("verwaltung/abwaegung/<int:consultation_id>/statistik/", views.StatisticsView.as_view(), name="statistics"),
    path("verwaltung/abwaegung/<int:consultation_id>/karte/", views.MapView.as_view(), name="map"),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/gruppieren/status/",
        views.GroupingStatusView.as_view(),
        name="grouping_status",
    ),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/export/<str:format>/",
        views.ExportStartView.as_view(),
        name="export",
    ),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/exporte/<uuid:job_id>/",
        views.ExportJobView.as_view(),
        name="export_job",
    ),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/exporte/<uuid:job_id>/datei/",
        views.ExportDownloadView.as_view(),
        name="export_download",
    ),
    path("verwaltung/abwaegung/<int:consultation_id>/ergebnis/", views.ResultPublishView.as_view(), name="publish"),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/ergebnis/briefe/",
        views.ResultLettersView.as_view(),
        name="result_letters",
    ),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/ergebnis/offline/",
        views.ResultUnpublishView.as_view(),
        name="unpublish",
    ),
    path(
        "verwaltung/abwaegung/textbausteine/<int:municipality_id>/",
        views.TextBlockListView.as_view(),
        name="text_blocks",
    ),
    path(
        "verwaltung/abwaegung/textbausteine/<int:municipality_id>/neu/",
        views.TextBlockEditView.as_view(),
        name="text_block_create",
    ),
    path(
        "verwaltung/abwaegung/textbausteine/<int:municipality_id>/<int:block_id>/",
        views.TextBlockEditView.as_view(),
        name="text_block_edit",
    ),
    path(
        "verwaltung/abwaegung/textbausteine/<int:municipality_id>/<int:block_id>/loeschen/",
        views.TextBlockDeleteView.as_view(),
        name="text_block_delete",
    ),
    path("beteiligung/<int:consultation_id>/ergebnis/", views.PublicResultView.as_view(), name="public_result"),
]
