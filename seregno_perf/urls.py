from django.contrib import admin
from django.urls import include, path

from obiettivi.views import scrivania

admin.site.site_header = "seregno_perf — Ciclo della performance"
admin.site.site_title = "seregno_perf"
admin.site.index_title = "Amministrazione"

urlpatterns = [
    # the Nucleo's working papers on a cycle (validazione/views.py), in the admin's look
    path("admin/verifiche/", include("validazione.urls")),
    # The admin's home is each role's desk (obiettivi/scrivania.py), then the usual sections.
    path("admin/", admin.site.admin_view(scrivania), name="scrivania"),
    path("admin/", admin.site.urls),
    path("", include("trasparenza.urls")),
]
