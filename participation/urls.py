from django.urls import path

from . import my_statements_views, resend_views, staff_statement_views, staff_views, views

app_name = "participation"

urlpatterns = [
    path("beteiligung/<int:pk>/stellungnahme/", views.StatementCreateView.as_view(), name="statement_create"),
    path("beteiligung/bestaetigen/<str:token>/", views.StatementConfirmView.as_view(), name="confirm"),
    path(
        "beteiligung/bestaetigung-erneut-senden/",
        resend_views.ConfirmationResendView.as_view(),
        name="confirm_resend",
    ),
    path("beteiligung/meine-stellungnahmen/", my_statements_views.MyStatementsView.as_view(), name="my_statements"),
    path("beteiligung/stellungnahmen/<int:pk>/melden/", views.StatementFlagView.as_view(), name="statement_flag"),
    path(
        "beteiligung/aenderungen/abmelden/<str:token>/",
        views.ChangeMailOptOutView.as_view(),
        name="change_mail_opt_out",
    ),
    path("verwaltung/beteiligungen/", staff_views.ConsultationListView.as_view(), name="staff_list"),
    path(
        "verwaltung/plaene/<int:plan_pk>/beteiligungen/neu/",
        staff_views.ConsultationCreateView.as_view(),
        name="staff_create",
    ),
    path("verwaltung/beteiligungen/<int:pk>/", staff_views.ConsultationDetailView.as_view(), name="staff_detail"),
    path(
        "verwaltung/beteiligungen/<int:pk>/bearbeiten/",
        staff_views.ConsultationUpdateView.as_view(),
        name="staff_update",
    ),
    path(
        "verwaltung/beteiligungen/<int:pk>/bekanntmachung/",
        staff_views.BekanntmachungView.as_view(),
        name="staff_bekanntmachung",
    ),
    path("verwaltung/beteiligungen/<int:pk>/beenden/", staff_views.ConsultationCloseView.as_view(), name="staff_close"),
    path(
        "verwaltung/beteiligungen/<int:pk>/zeitraum/<str:action>/",
        staff_views.ConsultationActionView.as_view(),
        name="staff_action",
    ),
    path(
        "verwaltung/beteiligungen/<int:pk>/moderation/",
        staff_statement_views.ModerationQueueView.as_view(),
        name="staff_moderation",
    ),
    path(
        "verwaltung/stellungnahmen/<int:pk>/moderieren/",
        staff_statement_views.ModerateView.as_view(),
        name="staff_moderate",
    ),
    path(
        "verwaltung/beteiligungen/<int:pk>/papier/",
        staff_statement_views.PaperStatementView.as_view(),
        name="staff_paper",
    ),
    path(
        "verwaltung/anhaenge/<int:pk>/",
        staff_statement_views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
]
