from django.contrib import admin
from django.urls import include, path

# The pages show «Performance — <ente>» (templates/admin/base_site.html); these are the fallback.
admin.site.site_header = "Performance"
admin.site.site_title = "Performance"
admin.site.index_title = "Amministrazione"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("trasparenza.urls")),
]
