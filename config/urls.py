from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from integrations.api import api as channel_api
from integrations.wagtail_api import api_router as wagtail_api_router

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("files/", include("forms.urls")),  # attachment downloads, permission-checked
    path("api/v1/", channel_api.urls),  # channel systems (integrations/api.py)
    path("api/v2/", wagtail_api_router.urls),  # published pages, read-only
    path("open311/v2/", include("integrations.open311.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path from the page tree; keep it last.
urlpatterns += [path("", include(wagtail_urls))]
