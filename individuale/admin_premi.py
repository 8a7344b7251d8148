"""The page «Calcolo dei premi» and the export for payroll (``individuale.premi``), mounted on
the admin of the bonus funds: ``individuale.admin.FondoPremiAdmin`` takes ``PaginePremiMixin``,
which adds the URLs to its ``get_urls`` and the link «Calcolo dei premi» to its list. The views
check the role themselves (the Amministratore only): whoever else reaches the funds' admin gets
403 there."""

from functools import partial

from django.urls import path

from . import premi


class PaginePremiMixin:
    change_list_template = "admin/individuale/change_list_fondi.html"

    def get_urls(self):
        vista = self.admin_site.admin_view
        return [
            path("calcolo/", vista(partial(premi.cicli_view, model_admin=self)),
                 name="individuale_premi_cicli"),
            path("calcolo/<int:ciclo_id>/", vista(partial(premi.premi_view, model_admin=self)),
                 name="individuale_premi"),
            path("calcolo/<int:ciclo_id>/esporta/<str:formato>/",
                 vista(partial(premi.esporta_view, model_admin=self)), name="individuale_premi_esporta"),
        ] + super().get_urls()
