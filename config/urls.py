from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

# App URLs come before plans.urls, whose "<municipality>/" patterns would otherwise catch them.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("geodata.urls")),
    path("", include("participation.urls")),
    path("", include("participation.announcements.urls")),
    path("", include("participation.workbench.urls")),
    path("", include("plans.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "accounts.views.permission_denied"
