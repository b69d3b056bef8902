from django.urls import path

from . import public_urls, public_views, staff_views

app_name = "authorities"

urlpatterns = [
    # Public: the personal access link of an invited authority.
    path("behoerden/zugang/<str:token>/", public_views.AccessView.as_view(), name="access"),
    # Staff: the address book of a municipality.
    path("verwaltung/behoerden/<slug:municipality>/", staff_views.AddressBookView.as_view(), name="staff_list"),
    path(
        "verwaltung/behoerden/<slug:municipality>/neu/", staff_views.AuthorityCreateView.as_view(), name="staff_create"
    ),
    path(
        "verwaltung/behoerden/<slug:municipality>/import/",
        staff_views.AddressBookImportView.as_view(),
        name="staff_import",
    ),
    path(
        "verwaltung/behoerden/<slug:municipality>/export.csv",
        staff_views.AddressBookExportView.as_view(),
        name="staff_export",
    ),
    path("verwaltung/behoerden/eintrag/<int:pk>/", staff_views.AuthorityEditView.as_view(), name="staff_edit"),
    path(
        "verwaltung/behoerden/eintrag/<int:pk>/loeschen/",
        staff_views.AuthorityDeleteView.as_view(),
        name="staff_delete",
    ),
    # Staff: the § 4 round of a consultation.
    path("verwaltung/beteiligungen/<int:pk>/behoerden/", staff_views.RoundBoardView.as_view(), name="staff_round"),
    path(
        "verwaltung/beteiligungen/<int:pk>/behoerden/einladen/",
        staff_views.RoundInviteView.as_view(),
        name="staff_invite",
    ),
    path(
        "verwaltung/beteiligungen/<int:pk>/behoerden/status.csv",
        staff_views.RoundBoardCsvView.as_view(),
        name="staff_round_csv",
    ),
    path(
        "verwaltung/einladungen/<int:pk>/widerrufen/",
        staff_views.InvitationRevokeView.as_view(),
        name="staff_revoke",
    ),
    path(
        "verwaltung/einladungen/<int:pk>/neu-senden/",
        staff_views.InvitationResendView.as_view(),
        name="staff_resend",
    ),
    path(
        "verwaltung/einladungen/<int:pk>/verlaengern/",
        staff_views.InvitationExtendView.as_view(),
        name="staff_extend",
    ),
]
urlpatterns += public_urls.urlpatterns
