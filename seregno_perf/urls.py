from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "seregno_perf — Ciclo della performance"
admin.site.site_title = "seregno_perf"
admin.site.index_title = "Amministrazione"

urlpatterns = [
    # the Nucleo's working papers on a cycle (validazione/views.py), in the admin's look
    path("admin/verifiche/", include("validazione.urls")),
    path("admin/", admin.site.urls),
    path("", include("trasparenza.urls")),
]
