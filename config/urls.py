from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

import plans.urls
import portal.urls
from operations.health import healthz
from operations.metrics import metrics

# App URLs come before plans.urls, whose "<municipality>/" patterns would otherwise catch them.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("geodata.urls")),
    path("", include("participation.urls")),
    path("", include("participation.authorities.urls")),
    path("", include("participation.announcements.urls")),
    path("", include("participation.workbench.urls")),
    path("", include("operations.urls")),
    path("", include("records.urls")),
    path("", include("council.urls")),
    # One "plans" namespace: the plans app's own pages, then the composed public pages of portal.
    path("", include((plans.urls.urlpatterns + portal.urls.urlpatterns, "plans"))),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "accounts.views.permission_denied"
