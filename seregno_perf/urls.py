from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from obiettivi.views import scrivania

# The pages show «Performance — <ente>» (templates/admin/base_site.html); these are the fallback.
admin.site.site_header = "Performance"
admin.site.site_title = "Performance"
admin.site.index_title = "Amministrazione"

urlpatterns = [
    # the Nucleo's working papers on a cycle (validazione/views.py), in the admin's look
    path("admin/verifiche/", include("validazione.urls")),
    # The admin's home is each role's desk (obiettivi/scrivania.py), then the usual sections.
    path("admin/", admin.site.admin_view(scrivania), name="scrivania"),
    path("admin/", admin.site.urls),
    # the person's own schede di valutazione (private: individuale/urls.py)
    path(settings.PAGINE_PERSONALI_PREFISSO.lstrip("/"), include("individuale.urls")),
    path("", include("trasparenza.urls")),
]
