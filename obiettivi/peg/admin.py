"""Admin pages of the PEG import and export (docs/import-peg.md).

Three URLs, added by ``CicloAdmin.get_urls`` (``urls(admin_site)``), each behind the admin
site's ``admin_view`` (staff login) and a role check:

* ``obiettivi/ciclo/peg/`` — import: upload → dry-run preview (what is created, updated, unchanged,
  or every error with sheet, row and column) → confirm, which runs the real import on the same
  stored file. Amministratori import everything; a dirigente the outcomes of their areas.
* ``obiettivi/ciclo/peg/esporta/`` — the template filled from a cycle, or the results, XLSX or ODS.
* ``obiettivi/ciclo/peg/modello/<file>`` — the blank and filled templates of ``fixtures/peg/``.

The views validate the request and call ``obiettivi.peg.importa`` / ``esporta``, whose rows go
through the sheets' django-import-export ``Resource``s; they write nothing themselves.
"""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import get_valid_filename

from .. import permessi
from ..models import Area, Ciclo
from . import esporta, importa
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
CARTELLA_CARICATI = "importazioni_peg"
CHIAVE_SESSIONE = "importazione_peg"
RIGHE_ANTEPRIMA = 300


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
            "modelli": MODELLI, **extra}


def _salva_caricato(file) -> str:
    nome = get_valid_filename(Path(file.name).name) or "peg"
    return default_storage.save(f"{CARTELLA_CARICATI}/{uuid.uuid4().hex}/{nome}", file)


def _esito_con_file(percorso, **kwargs):
    with default_storage.open(percorso, "rb") as file:
        return importa.importa_workbook(file=file, **kwargs)


def importa_view(request):
    if not puo_importare(request.user):
        raise PermissionDenied
    if request.method == "POST" and "_conferma" in request.POST:
        return _conferma(request)
    form = ImportaForm(request.POST or None, request.FILES or None, user=request.user)
    contesto = _contesto(request, form=form, esporta=EsportaForm(user=request.user),
                         puo_esportare=puo_esportare(request.user))
    if request.method == "POST" and form.is_valid():
        ciclo, foglio = form.cleaned_data["ciclo"], form.cleaned_data["foglio"] or None
        percorso = _salva_caricato(form.cleaned_data["file"])
        esito = _esito_con_file(percorso, ciclo=ciclo, utente=request.user, dry_run=True,
                                foglio=foglio)
        token = ""
        if esito.ok and esito.n_modifiche:
            token = uuid.uuid4().hex
            in_attesa = request.session.get(CHIAVE_SESSIONE, {})
            in_attesa[token] = {"percorso": percorso, "ciclo": ciclo.pk, "foglio": foglio}
            request.session[CHIAVE_SESSIONE] = in_attesa
        else:
            default_storage.delete(percorso)
        modifiche = [m for m in esito.modifiche if m.azione != "invariato"]
        contesto.update(
            esito=esito, ciclo=ciclo, token=token, modifiche=modifiche[:RIGHE_ANTEPRIMA],
            altre_modifiche=max(0, len(modifiche) - RIGHE_ANTEPRIMA),
        )
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
        esito = _esito_con_file(dati["percorso"], ciclo=ciclo, utente=request.user,
                                foglio=dati["foglio"])
    finally:
        default_storage.delete(dati["percorso"])
    if esito.ok:
        messages.success(request, f"{esito.file} importato nel ciclo {ciclo}: "
                         f"{esito.n_modifiche} righe scritte.")
        return redirect("admin:obiettivi_peg_importa")
    # The data changed between preview and confirmation: show what is wrong now.
    return TemplateResponse(request, "admin/obiettivi/peg/importa.html", _contesto(
        request, form=ImportaForm(user=request.user), esporta=EsportaForm(user=request.user),
        puo_esportare=puo_esportare(request.user), esito=esito, ciclo=ciclo, token="",
        modifiche=[], altre_modifiche=0,
    ))


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
        path("peg/esporta/", vista(esporta_view), name="obiettivi_peg_esporta"),
        path("peg/modello/<str:nome>", vista(modello_view), name="obiettivi_peg_modello"),
    ]
