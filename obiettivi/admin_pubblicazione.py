"""The «Pubblica» pages of a cycle (added by ``CicloAdmin.get_urls``, behind ``admin_view``).

* ``obiettivi/ciclo/<id>/pubblica/`` — the preview: what the new version changes against the
  version citizens see now (``trasparenza.services.pubblicazione_anteprima``: the report data as
  they would be frozen, compared with the latest ``dati.json``; no page, no PDF rendered), or, for
  a first publication, the summary; then a confirmation with a note. GET never writes; the POST
  (CSRF-protected by the admin) queues a background job (``lavori.servizi.
  accoda_pubblicazione``: the worker calls ``workflow.ciclo_pubblica``, the one road to
  «pubblicata») and answers at once with the job's page. While a publication of the cycle is
  queued or running, both lead to that job instead (one per cycle at a time).
* ``obiettivi/ciclo/<id>/lavoro/<lavoro>/`` — the job: queued, running with its step, done with
  the version's links, failed with the error, or interrupted (its worker died) with «Riprova».
  ``static/js/lavoro.js`` polls ``…/lavoro/<lavoro>/stato/`` (JSON) and reloads the page when the
  job ends; without JavaScript the page refreshes itself every few seconds while the job runs
  (the ``Refresh`` header). ``…/riprova/`` (POST) queues a failed or interrupted job again.
* ``obiettivi/ciclo/<id>/pubblicata/<versione>/`` — the result: the version and its public links.

Only an Amministratore (who may publish: ``workflow.ciclo_pubblica``'s own check) opens them.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from seregno_perf import formati

from . import permessi, regole, workflow
from .models import Ciclo


class PubblicaForm(forms.Form):
    nota = forms.CharField(
        label="nota di pubblicazione", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Facoltativa. Resta con la versione ed è pubblica: per esempio che cosa è stato "
                  "corretto rispetto alla versione precedente.",
    )

    def clean_nota(self):
        nota = self.cleaned_data["nota"].strip()
        errori = regole.testo(nota, multiriga=True)
        if errori:
            raise ValidationError(errori)
        return nota


def urls(admin_site):
    vista = admin_site.admin_view
    return [
        path("<int:ciclo_id>/pubblica/", vista(pubblica_view), name="obiettivi_ciclo_pubblica"),
        path("<int:ciclo_id>/pubblicata/<int:versione>/", vista(pubblicata_view),
             name="obiettivi_ciclo_pubblicata"),
        path("<int:ciclo_id>/lavoro/<int:lavoro_id>/", vista(lavoro_view),
             name="obiettivi_ciclo_lavoro"),
        path("<int:ciclo_id>/lavoro/<int:lavoro_id>/stato/", vista(lavoro_stato_view),
             name="obiettivi_ciclo_lavoro_stato"),
        path("<int:ciclo_id>/lavoro/<int:lavoro_id>/riprova/", vista(lavoro_riprova_view),
             name="obiettivi_ciclo_lavoro_riprova"),
    ]


def _ciclo(request, ciclo_id):
    ciclo = get_object_or_404(permessi.scopa_scelte(request.user, Ciclo.objects.select_related("ente")),
                              pk=ciclo_id)
    if not permessi.is_amministratore(request.user, ciclo.ente_id):
        raise PermissionDenied("Solo un Amministratore pubblica la Relazione sulla Performance dell'ente.")
    return ciclo


def _contesto(request, ciclo, titolo, **extra):
    from django.contrib import admin

    return {**admin.site.each_context(request), "title": titolo, "ciclo": ciclo,
            "opts": Ciclo._meta, **extra}


def _cifra(valore):
    return formati.numero(valore) if isinstance(valore, (int, float)) else formati.VUOTO


def _percentuale(valore):
    return formati.percentuale(valore) if valore is not None else formati.VUOTO


def _righe_anteprima(anteprima):
    """The preview's tables, numbers written the Italian way."""
    dati = anteprima.dati
    if anteprima.differenze is None:  # first publication: the summary
        conteggi = (dati.get("sintesi") or {}).get("conteggi") or {}
        componenti = dati.get("componenti") or {}
        return {"sintesi": [
            ("Livello di performance di ente", _cifra(dati.get("livello_performance_ente"))),
            *[(nome, _cifra((componenti.get(chiave) or {}).get("valore")))
              for chiave, nome in (("finanziaria", "PFin"), ("obiettivi", "PObj_Gen"),
                                   ("qualita", "PQua_Gen"))],
            ("Media del barometro della qualità", _cifra((dati.get("barometro_qualita") or {}).get("media"))),
            ("Obiettivi", str(len(dati.get("obiettivi") or ()))),
            ("Obiettivi raggiunti", str(conteggi.get("raggiunti", 0))),
            ("Obiettivi raggiunti in parte", str(conteggi.get("parziali", 0))),
            ("Obiettivi non raggiunti", str(conteggi.get("non_raggiunti", 0))),
            ("Obiettivi non valutati o esclusi",
             str(conteggi.get("non_valutati", 0) + conteggi.get("esclusi", 0))),
        ]}
    d = anteprima.differenze
    return {
        "cifre": [(c.etichetta, _cifra(c.prima), _cifra(c.dopo)) for c in d.cifre],
        "obiettivi": [{
            "codice": o.codice, "titolo": o.titolo,
            "titolo_prima": o.titolo_prima if o.titolo_cambiato else "",
            "esito": (o.esito_prima, o.esito_dopo) if o.esito_cambiato else None,
            "raggiungimento": (_percentuale(o.raggiungimento_prima), _percentuale(o.raggiungimento_dopo))
            if o.raggiungimento_cambiato else None,
        } for o in d.obiettivi],
        "aggiunti": d.aggiunti, "rimossi": d.rimossi, "altro": d.altro,
    }


def _al_lavoro(ciclo, lavoro):
    return HttpResponseRedirect(reverse("admin:obiettivi_ciclo_lavoro", args=[ciclo.pk, lavoro.pk]))


def pubblica_view(request, ciclo_id):
    from lavori import servizi as lavori
    from trasparenza import services

    ciclo = _ciclo(request, ciclo_id)
    in_corso = lavori.attivo(ciclo)
    if in_corso is not None:  # one publication of a cycle at a time: show the running one
        return _al_lavoro(ciclo, in_corso)
    errori = workflow.errori_pubblicazione(ciclo)
    form = PubblicaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not errori and form.is_valid():
        accodato = lavori.accoda_pubblicazione(ciclo=ciclo, utente=request.user,
                                               nota=form.cleaned_data["nota"])
        return _al_lavoro(ciclo, accodato.lavoro)
    anteprima = None if errori else services.pubblicazione_anteprima(ciclo=ciclo)
    # A published (or validated) cycle whose data changed needs a reopening and a new approval
    # first — unless only the bonuses' aggregates changed (services.solo_premi_cambiati).
    serve_riapertura = (anteprima is not None and anteprima.cambia and not anteprima.solo_premi
                        and ciclo.stato in (Ciclo.Stato.PUBBLICATA, Ciclo.Stato.VALIDATA))
    prossima = (anteprima.precedente.versione + 1 if anteprima and anteprima.precedente else 1)
    return TemplateResponse(request, "admin/obiettivi/ciclo/pubblica.html", _contesto(
        request, ciclo, f"{ciclo}: pubblicazione della Relazione",
        errori=errori, anteprima=anteprima, righe=_righe_anteprima(anteprima) if anteprima else {},
        serve_riapertura=serve_riapertura, puo_confermare=bool(anteprima) and not serve_riapertura,
        prossima=prossima, form=form,
        pulsante=f"Pubblica la versione {prossima}" if anteprima and anteprima.cambia
        else "Conferma la pubblicazione",
    ))


def pubblicata_view(request, ciclo_id, versione):
    ciclo = _ciclo(request, ciclo_id)
    pubblicazione = get_object_or_404(ciclo.pubblicazioni.only(
        "versione", "pubblicata_il", "impronta", "modifiche", "nota", "ciclo_id"), versione=versione)
    ente, anno = ciclo.ente.slug, ciclo.anno
    collegamenti = [
        ("La Relazione pubblicata", reverse("trasparenza:relazione", args=[ente, anno])),
        (f"La versione {versione}", reverse("trasparenza:relazione_versione", args=[ente, anno, versione])),
        (f"Il PDF della versione {versione}",
         reverse("trasparenza:relazione_versione_pdf", args=[ente, anno, versione])),
        ("I dati aperti (JSON)", reverse("trasparenza:dati_versione_json", args=[ente, anno, versione])),
    ]
    return TemplateResponse(request, "admin/obiettivi/ciclo/pubblicata.html", _contesto(
        request, ciclo, f"{ciclo}: versione {versione} pubblicata",
        pubblicazione=pubblicazione, collegamenti=collegamenti,
        quando=formati.data(pubblicazione.pubblicata_il),
    ))


def _lavoro(request, ciclo_id, lavoro_id):
    from lavori.models import Lavoro

    ciclo = _ciclo(request, ciclo_id)
    return ciclo, get_object_or_404(Lavoro.objects.select_related("utente"), pk=lavoro_id,
                                    ciclo=ciclo)


def lavoro_view(request, ciclo_id, lavoro_id):
    """The publication's job page: ``lavori.pagine.pagina`` with the cycle's words and URLs."""
    from lavori import pagine

    ciclo, lavoro = _lavoro(request, ciclo_id, lavoro_id)
    return pagine.pagina(
        request, lavoro, template="admin/obiettivi/ciclo/lavoro.html",
        url_stato=reverse("admin:obiettivi_ciclo_lavoro_stato", args=[ciclo.pk, lavoro.pk]),
        url_riprova=reverse("admin:obiettivi_ciclo_lavoro_riprova", args=[ciclo.pk, lavoro.pk]),
        **_contesto(request, ciclo, f"{ciclo}: pubblicazione della Relazione"),
        pubblicata=(reverse("admin:obiettivi_ciclo_pubblicata", args=[ciclo.pk, lavoro.versione])
                    if lavoro.versione else None))


def lavoro_stato_view(request, ciclo_id, lavoro_id):
    from lavori import pagine

    return pagine.stato_risposta(_lavoro(request, ciclo_id, lavoro_id)[1])


def lavoro_riprova_view(request, ciclo_id, lavoro_id):
    from lavori import pagine

    return pagine.riprova_risposta(request, _lavoro(request, ciclo_id, lavoro_id)[1])
