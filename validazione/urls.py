from django.contrib import admin
from django.urls import path

from . import views

app_name = "validazione"

# Mounted under /admin/verifiche/ (seregno_perf/urls.py), before the admin's own URLs.
urlpatterns = [
    path("<int:ciclo_id>/", admin.site.admin_view(views.verifiche), name="verifiche"),
]
