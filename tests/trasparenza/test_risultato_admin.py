"""The % achievement and the bands' grade the objective's admin page shows are the published
ones: on every objective of the published Seregno 2021 demo, the page (server-side, from the
saved values) and the JSON view the page's script calls (from the page's own form) say what
``dati.json`` says."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from obiettivi.models import Ciclo, Obiettivo
from tests.ruoli.conftest import dati_della_pagina
from trasparenza.models import Pubblicazione
from seregno_perf.formati import percentuale


def _grado_calcolato(voce):
    (grado,) = [v["valore"] for v in voce["spiegazione"]["input"]
                if v["etichetta"] == "Grado calcolato dalle fasce"]
    return grado


def _percentuale(voce):
    valore = voce["percentuale_raggiungimento"]
    return "non calcolabile" if valore is None else percentuale(valore)


def test_the_form_shows_the_published_percentage_on_every_demo_objective(demo_pubblicata, client):
    client.force_login(get_user_model().objects.create_superuser("verifica", None, None))
    dati = Pubblicazione.objects.filter(ciclo=demo_pubblicata).latest("versione").dati
    pubblicati = {voce["codice"]: voce for voce in dati["obiettivi"]}
    obiettivi = list(Obiettivo.objects.filter(ciclo=demo_pubblicata).order_by("codice"))
    assert len(obiettivi) == len(pubblicati) > 100
    # Back in «Rendicontazione» (values untouched), the Amministratore's page carries every
    # indicator and phase as an input: the JSON view reads them back from the typed text.
    Ciclo.objects.filter(pk=demo_pubblicata.pk).update(stato=Ciclo.Stato.RENDICONTAZIONE)
    misurati = 0
    for ob in obiettivi:
        voce = pubblicati[ob.codice]
        pagina = client.get(reverse("admin:obiettivi_obiettivo_change", args=[ob.pk]))
        risultato = pagina.context["risultato"]
        assert (risultato.percentuale_testo, risultato.grado) == (
            _percentuale(voce), _grado_calcolato(voce)), ob.codice
        assert risultato.percentuale_testo in pagina.content.decode()
        modulo = dati_della_pagina(pagina)
        assert not ob.indicatori.exists() or "indicatori-0-consuntivo" in modulo
        json = client.post(reverse("admin:obiettivi_obiettivo_risultato", args=[ob.pk]),
                           modulo).json()
        assert (json["percentuale"], json["grado"]) == (
            _percentuale(voce), _grado_calcolato(voce)), ob.codice
        misurati += voce["percentuale_raggiungimento"] is not None
    assert misurati > 90  # the comparison is about figures, not about "non calcolabile"
