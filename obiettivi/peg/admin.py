"""Admin pages of the PEG import and export (docs/import-peg.md).

URLs added by ``CicloAdmin.get_urls`` (``urls(admin_site)``), each behind the admin site's
``admin_view`` (staff login) and a role check:

* ``obiettivi/ciclo/peg/`` — import: upload → dry-run preview (what is created, updated, unchanged,
  or every error with sheet, row and column) → confirm, which runs the real import on the same
  stored file (``caricati``). Amministratori import everything; a dirigente the outcomes of their
  areas. A file of more than ``PEG_IMPORT_RIGHE_SINCRONE`` rows is previewed by a background job
  (``lavoro``) instead: the page answers at once with the job's page (``lavori.pagine``), which
  shows the same preview fragment and its «Conferma l'importazione», posted to
* ``obiettivi/ciclo/peg/lavoro/<id>/conferma/`` — queues the confirmation job (the preview's
  requester only).
* ``obiettivi/ciclo/peg/esporta/`` — the template filled from a cycle, or the results, XLSX or ODS.
* ``obiettivi/ciclo/peg/modello/<file>`` — the blank and filled templates of ``fixtures/peg/``.

The views validate the request and call ``obiettivi.peg.importa`` / ``esporta``, whose rows go
through the sheets' django-import-export ``Resource``s; they write nothing themselves.
"""

import uuid
from pathlib import Path, PurePosixPath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from lavori.models import Lavoro
from lavori.pagine import url_pagina
from lavori.servizi import stato_effettivo
from seregno_perf import formati

from .. import permessi
from ..models import Ciclo
from . import esporta, lavoro
from .caricati import (CARTELLA_CARICATI, caricato_conferma, caricato_elimina,  # noqa: F401
                       caricato_importa, caricato_salva, in_background)
from .importa import messaggio_file_troppo_grande
from .risorse import FOGLI
from .scrittura import FORMATI

CARTELLA_MODELLI = Path(settings.BASE_DIR) / "fixtures" / "peg"
MODELLI = {
    "modello_vuoto.xlsx": "Modello vuoto (XLSX)",
    "modello_vuoto.ods": "Modello vuoto (ODS)",
    "modello_compilato.xlsx": "Modello compilato d'esempio (XLSX)",
    "modello_compilato.ods": "Modello compilato d'esempio (ODS)",
}
CHIAVE_SESSIONE = "importazione_peg"


def puo_importare(user) -> bool:
    return permessi.is_amministratore(user) or permessi.is_dirigente(user)


def puo_esportare(user) -> bool:
    return permessi.vede_tutto(user) or permessi.is_dirigente(user)


def cicli_di(user):
    """The cycles ``user`` may import into or export: those of their enti and of their areas
    (what they may write in each is ``piano.ambito_di``'s)."""
    return permessi.scopa_scelte(user, Ciclo.objects.select_related("ente")).order_by("ente__nome", "-anno")


class ImportaForm(forms.Form):
    ciclo = forms.ModelChoiceField(queryset=Ciclo.objects.none(), label="ciclo")
    file = forms.FileField(
        label="file", help_text="XLSX, ODS o CSV (UTF-8, separato da «;» o «,»), entro il limite PEG_IMPORT_MAX_BYTES (5 MB salvo diversa configurazione).",
    )
    foglio = forms.ChoiceField(
        label="foglio", required=False,
        choices=[("", "tutti (per un CSV: dal nome del file)")] + [(f, f) for f in FOGLI],
        help_text="Importa solo questo foglio; per un CSV, il foglio che contiene.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ciclo"].queryset = cicli_di(user)

    def clean_file(self):
        file = self.cleaned_data["file"]
        estensione = Path(file.name).suffix.lower()
        if estensione not in (".xlsx", ".ods", ".csv"):
            raise forms.ValidationError(f"Formato «{estensione or file.name}» non previsto: usare .xlsx, .ods o .csv.")
        massimo = settings.PEG_IMPORT_MAX_BYTES
        if file.size > massimo:
            raise forms.ValidationError(messaggio_file_troppo_grande(file.name, file.size))
        return file


class EsportaForm(forms.Form):
    ciclo = forms.ModelChoiceField(queryset=Ciclo.objects.none(), label="ciclo")
    contenuto = forms.ChoiceField(label="contenuto", choices=[
        ("dati", "il PEG nel modello di importazione"),
        ("risultati", "i risultati (raggiungimento, gradi calcolati, proposti e validati)"),
    ])
    formato = forms.ChoiceField(label="formato", choices=[("xlsx", "XLSX"), ("ods", "ODS")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ciclo"].queryset = cicli_di(user)


def _contesto(request, **extra):
    return {**admin.site.each_context(request), "title": "Importazione ed esportazione del PEG",
            "modelli": MODELLI, "form": ImportaForm(user=request.user),
            "esporta": EsportaForm(user=request.user), "puo_esportare": puo_esportare(request.user),
            "righe_sincrone": (formati.numero(settings.PEG_IMPORT_RIGHE_SINCRONE, 0)
                               if settings.PEG_IMPORT_RIGHE_SINCRONE else ""),
            "importazioni_recenti": _importazioni_recenti(request.user), **extra}


def _importazioni_recenti(user, quante: int = 5) -> list[dict]:
    """The user's own latest import jobs, to find them again after leaving their page."""
    righe = []
    for job in Lavoro.objects.filter(tipo=Lavoro.Tipo.IMPORTAZIONE_PEG, utente=user).select_related(
            "ciclo__ente")[:quante]:
        righe.append({
            "url": url_pagina(job), "stato": Lavoro.Stato(stato_effettivo(job)).label,
            "testo": f"{'Importazione' if job.parametri.get('conferma') else 'Anteprima'} di "
                     f"{PurePosixPath(job.parametri.get('percorso', '')).name} nel ciclo {job.ciclo}, "
                     + formati.data_ora(job.creato_il),
        })
    return righe


def importa_view(request):
    """Upload → preview → confirm. A file of more than ``PEG_IMPORT_RIGHE_SINCRONE`` rows goes to
    a background job (``lavoro``) and the page answers at once with the job's page; a smaller one
    is previewed here, its confirmation token kept in the session."""
    if not puo_importare(request.user):
        raise PermissionDenied
    if request.method == "POST" and "_conferma" in request.POST:
        return _conferma(request)
    form = ImportaForm(request.POST or None, request.FILES or None, user=request.user)
    contesto = _contesto(request, form=form)
    if request.method == "POST" and form.is_valid():
        ciclo, foglio = form.cleaned_data["ciclo"], form.cleaned_data["foglio"] or None
        percorso = caricato_salva(form.cleaned_data["file"])
        try:
            if in_background(percorso):
                accodato = lavoro.anteprima_accoda(ciclo=ciclo, utente=request.user,
                                                   percorso=percorso, foglio=foglio)
                return HttpResponseRedirect(url_pagina(accodato.lavoro))
            esito = caricato_importa(percorso, ciclo=ciclo, utente=request.user, dry_run=True,
                                     foglio=foglio)
        except BaseException:
            caricato_elimina(percorso)
            raise
        token = ""
        if esito.ok and esito.n_modifiche:
            token = uuid.uuid4().hex
            in_attesa = request.session.get(CHIAVE_SESSIONE, {})
            in_attesa[token] = {"percorso": percorso, "ciclo": ciclo.pk, "foglio": foglio}
            request.session[CHIAVE_SESSIONE] = in_attesa
        else:
            caricato_elimina(percorso)
        contesto.update(anteprima=esito.riepilogo(), ciclo=ciclo, token=token,
                        url_conferma=reverse("admin:obiettivi_peg_importa") if token else "")
    return TemplateResponse(request, "admin/obiettivi/peg/importa.html", contesto)


def _conferma(request):
    token = request.POST.get("token", "")
    in_attesa = request.session.get(CHIAVE_SESSIONE, {})
    dati = in_attesa.pop(token, None)
    request.session[CHIAVE_SESSIONE] = in_attesa
    if dati is None:
        messages.error(request, "Anteprima scaduta o già confermata: caricare di nuovo il file.")
        return redirect("admin:obiettivi_peg_importa")
    ciclo = cicli_di(request.user).filter(pk=dati["ciclo"]).first()
    if ciclo is None:
        raise PermissionDenied
    try:
        esito = caricato_conferma(dati["percorso"], ciclo=ciclo, utente=request.user,
                                  foglio=dati["foglio"])
    finally:
        caricato_elimina(dati["percorso"])
    if esito.ok:
        messages.success(request, f"{esito.file} importato nel ciclo {ciclo}: "
                         f"{esito.n_modifiche} righe scritte.")
        return redirect("admin:obiettivi_peg_importa")
    # The data changed between preview and confirmation: show what is wrong now.
    return TemplateResponse(request, "admin/obiettivi/peg/importa.html", _contesto(
        request, anteprima=esito.riepilogo(), ciclo=ciclo))


def conferma_lavoro_view(request, lavoro_id):
    """«Conferma l'importazione» on the page of a preview job: queues the import of the same
    stored file, as the same user (nobody else's preview exists for them: 404)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    anteprima = get_object_or_404(Lavoro, pk=lavoro_id, tipo=Lavoro.Tipo.IMPORTAZIONE_PEG,
                                  utente=request.user)
    try:
        accodato = lavoro.conferma_accoda(anteprima=anteprima, utente=request.user)
    except ValidationError as errore:
        messages.error(request, " ".join(errore.messages))
        return HttpResponseRedirect(url_pagina(anteprima))
    return HttpResponseRedirect(url_pagina(accodato.lavoro))


def esporta_view(request):
    if not puo_esportare(request.user):
        raise PermissionDenied
    form = EsportaForm(request.GET or None, user=request.user)
    if not form.is_valid():
        messages.error(request, "Esportazione: scegliere un ciclo, il contenuto e il formato.")
        return redirect("admin:obiettivi_peg_importa")
    ciclo, formato = form.cleaned_data["ciclo"], form.cleaned_data["formato"]
    if form.cleaned_data["contenuto"] == "risultati":
        contenuto = esporta.esporta_risultati(ciclo=ciclo, utente=request.user, formato=formato)
        nome = f"risultati_{ciclo.ente.slug}_{ciclo.anno}.{formato}"
    else:
        contenuto = esporta.esporta_workbook(ciclo=ciclo, utente=request.user, formato=formato)
        nome = f"peg_{ciclo.ente.slug}_{ciclo.anno}.{formato}"
    risposta = HttpResponse(contenuto, content_type=FORMATI[formato])
    risposta["Content-Disposition"] = f'attachment; filename="{nome}"'
    return risposta


def modello_view(request, nome):
    if not (puo_importare(request.user) or puo_esportare(request.user)):
        raise PermissionDenied
    if nome not in MODELLI or not (CARTELLA_MODELLI / nome).is_file():
        raise Http404("Modello non trovato.")
    return FileResponse((CARTELLA_MODELLI / nome).open("rb"), as_attachment=True, filename=nome)


def urls(admin_site):
    """The PEG pages, for ``CicloAdmin.get_urls`` (under ``obiettivi/ciclo/``)."""
    vista = admin_site.admin_view
    return [
        path("peg/", vista(importa_view), name="obiettivi_peg_importa"),
        path("peg/lavoro/<int:lavoro_id>/conferma/", vista(conferma_lavoro_view),
             name="obiettivi_peg_conferma"),
        path("peg/esporta/", vista(esporta_view), name="obiettivi_peg_esporta"),
        path("peg/modello/<str:nome>", vista(modello_view), name="obiettivi_peg_modello"),
    ]
