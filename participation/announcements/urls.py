from django.urls import path

from . import feeds, views

app_name = "announcements"

urlpatterns = [
    # Staff
    path("verwaltung/ankuendigungen/", views.AnnouncementListView.as_view(), name="staff_list"),
    path("verwaltung/ankuendigungen/<int:pk>/", views.AnnouncementDetailView.as_view(), name="staff_detail"),
    path(
        "verwaltung/ankuendigungen/<int:pk>/freigeben/",
        views.AnnouncementActionView.as_view(action="approve"),
        name="staff_approve",
    ),
    path(
        "verwaltung/ankuendigungen/<int:pk>/verwerfen/",
        views.AnnouncementActionView.as_view(action="discard"),
        name="staff_discard",
    ),
    path(
        "verwaltung/ankuendigungen/zustellungen/<int:pk>/wiederholen/",
        views.DeliveryRetryView.as_view(),
        name="staff_retry",
    ),
    path(
        "verwaltung/ankuendigungen/zustellungen/<int:pk>/pruefen/",
        views.DeliveryCheckView.as_view(),
        name="staff_delivery_check",
    ),
    path(
        "verwaltung/ankuendigungen/kanaele/<slug:municipality>/",
        views.ChannelListView.as_view(),
        name="staff_channels",
    ),
    path(
        "verwaltung/ankuendigungen/kanaele/konto/<int:pk>/testen/",
        views.ChannelTestView.as_view(),
        name="staff_channel_test",
    ),
    # Subscriptions
    path("benachrichtigungen/bestaetigen/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("benachrichtigungen/abmelden/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("<slug:municipality>/benachrichtigungen/", views.SubscribeView.as_view(), name="subscribe"),
    # Feeds
    path("<slug:municipality>/feeds/ankuendigungen.rss", feeds.AnnouncementsRssFeed(), name="feed_rss"),
    path("<slug:municipality>/feeds/ankuendigungen.atom", feeds.AnnouncementsAtomFeed(), name="feed_atom"),
    path("<slug:municipality>/feeds/beteiligungen.ics", feeds.consultations_ics, name="feed_ics"),
    path("<slug:municipality>/plaene/<slug:plan>/vorschau.png", views.plan_preview_png, name="plan_preview"),
]
