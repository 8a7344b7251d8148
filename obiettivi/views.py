"""The admin's home page: each role's desk (``obiettivi.scrivania``) above the usual list of
the admin's sections. Wired in ``seregno_perf/urls.py`` in place of the admin's index, behind
the admin's own login (``admin.site.admin_view``)."""

from django.contrib import admin

from . import scrivania as desk

TEMPLATE = "admin/scrivania/index.html"


def scrivania(request):
    risposta = admin.site.index(request, extra_context={
        "scrivania": desk.scrivania_di(request.user),
        "title": "Scrivania",
    })
    risposta.template_name = TEMPLATE
    return risposta
