"""The site's URLs plus the authority access pages, for tests on a branch where config.urls does not include them yet.

Once config.urls includes the "authorities" namespace (with public_urls), this is the site's URLconf unchanged.
"""

from django.urls import get_resolver, include, path

from config import urls as site_urls
from participation.authorities import public_urls, public_views

urlpatterns = list(site_urls.urlpatterns)
if "authorities" not in get_resolver(site_urls).namespace_dict:
    access = path("behoerden/zugang/<str:token>/", public_views.AccessView.as_view(), name="access")
    urlpatterns.insert(0, path("", include(([access, *public_urls.urlpatterns], "authorities"))))
handler403 = site_urls.handler403
