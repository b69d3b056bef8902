from django.urls import path

from . import views

app_name = "workbench"
_STATEMENT = "verwaltung/abwaegung/<int:consultation_id>/stellungnahme/<int:statement_id>/"

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
    path(f"{_STATEMENT}teile/", views.SegmentCreateView.as_view(), name="segment_create"),
    path(f"{_STATEMENT}teile/absaetze/", views.SegmentSplitView.as_view(), name="segments_split"),
    path(f"{_STATEMENT}teile/<int:segment_number>/", views.SegmentEditView.as_view(), name="segment"),
    path(f"{_STATEMENT}teile/<int:segment_number>/loeschen/", views.SegmentDeleteView.as_view(), name="segment_delete"),
    path(f"{_STATEMENT}vorschlag/", views.ProposeView.as_view(), name="propose"),
    path(f"{_STATEMENT}verlauf/", views.HistoryView.as_view(), name="history"),
    path(f"{_STATEMENT}verlauf/vergleich/", views.DiffView.as_view(), name="diff"),
    path(
        "verwaltung/abwaegung/<int:consultation_id>/ergebnis/ratsbeschluss/",
        views.CouncilDecisionView.as_view(),
        name="council_decision",
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
    path(
        "verwaltung/abwaegung/ratsvorlagen/<int:municipality_id>/",
        views.CouncilTemplateListView.as_view(),
        name="council_templates",
    ),
    path(
        "verwaltung/abwaegung/ratsvorlagen/<int:municipality_id>/hochladen/",
        views.CouncilTemplateUploadView.as_view(),
        name="council_template_upload",
    ),
    path(
        "verwaltung/abwaegung/ratsvorlagen/<int:municipality_id>/<str:kind>/datei/",
        views.CouncilTemplateDownloadView.as_view(),
        name="council_template_download",
    ),
    path(
        "verwaltung/abwaegung/ratsvorlagen/<int:municipality_id>/<str:kind>/standard/",
        views.CouncilTemplateDownloadView.as_view(default=True),
        name="council_template_default",
    ),
    path(
        "verwaltung/abwaegung/ratsvorlagen/<int:municipality_id>/<str:kind>/loeschen/",
        views.CouncilTemplateDeleteView.as_view(),
        name="council_template_delete",
    ),
    path(f"{_STATEMENT}zuweisen/", views.AssignView.as_view(), name="assign"),
    path("verwaltung/aufgaben/", views.MyTasksView.as_view(), name="my_tasks"),
    path("verwaltung/aufgaben/<int:assignment_id>/", views.AssignmentView.as_view(), name="assignment"),
    path(
        "verwaltung/aufgaben/<int:assignment_id>/erledigt/",
        views.AssignmentActionView.as_view(action="done"),
        name="assignment_done",
    ),
    path(
        "verwaltung/aufgaben/<int:assignment_id>/uebernehmen/",
        views.AssignmentActionView.as_view(action="accept"),
        name="assignment_accept",
    ),
    path(
        "verwaltung/aufgaben/<int:assignment_id>/zurueckgeben/",
        views.AssignmentActionView.as_view(action="return"),
        name="assignment_return",
    ),
    path(
        "verwaltung/aufgaben/<int:assignment_id>/loeschen/",
        views.AssignmentActionView.as_view(action="delete"),
        name="assignment_delete",
    ),
    path("verwaltung/abwaegung/extern/<int:municipality_id>/", views.ReviewerListView.as_view(), name="reviewers"),
    path(
        "verwaltung/abwaegung/extern/<int:municipality_id>/<int:reviewer_id>/deaktivieren/",
        views.ReviewerDeactivateView.as_view(),
        name="reviewer_deactivate",
    ),
    path(
        "verwaltung/abwaegung/extern/<int:municipality_id>/<int:reviewer_id>/einladen/",
        views.ReviewerInviteAgainView.as_view(),
        name="reviewer_invite",
    ),
    path("beteiligung/<int:consultation_id>/ergebnis/", views.PublicResultView.as_view(), name="public_result"),
]
