"""The demo's illustrative documento di validazione: Seregno 2021, signed by the demo Nucleo,
outcome «validata», with its verifiche (``manage.py carica_demo`` calls it after publishing).

Illustrative like the demo's grades: the real Nucleo's document of 2022 is not in the demo's
sources. Idempotent: a signed document already naming the published version is kept (the cycle
is moved back to «validata» if reloading the demo brought it to «pubblicata»)."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from obiettivi import workflow
from obiettivi.models import Ciclo

from . import services
from .models import DocumentoValidazione

NOTA_ILLUSTRATIVA = (
    "Documento illustrativo della demo: il testo e la firma non sono del Nucleo di valutazione "
    "del Comune di Seregno."
)
GIUDIZI = {
    "chiarezza": "La Relazione si apre con una sintesi in linguaggio semplice, spiega come nasce "
                 "il voto del Comune e accompagna ogni grafico con la sua tabella; il glossario "
                 "spiega le sigle. Giudizio: chiara e comprensibile.",
}
MOTIVAZIONE = (
    "Le verifiche sui dati sono superate, con i rilievi elencati nei giudizi (variazioni del PEG "
    "senza atto per un obiettivo stralciato, motivazione mancante di un obiettivo rinviato, apporto "
    "dei cittadini riportato solo con il barometro della qualità), che non pregiudicano "
    "l'attendibilità della Relazione. " + NOTA_ILLUSTRATIVA
)


@dataclass
class EsitoDemoValidazione:
    documento: DocumentoValidazione | None
    firmato: bool  # a new document was signed now


def carica_validazione_demo(*, ente_slug="seregno", anno=2021) -> EsitoDemoValidazione:
    ciclo = Ciclo.objects.select_related("ente", "atto_approvazione").get(
        ente__slug=ente_slug, anno=anno)
    nucleo = get_user_model().objects.get(username="nucleo")
    if ciclo.stato not in workflow.STATI_VALIDABILI:
        return EsitoDemoValidazione(documento=None, firmato=False)
    pubblicazione = services.ultima_pubblicazione(ciclo)
    esistente = services.validazione_firmata(ciclo.pk)
    with transaction.atomic():
        if esistente is not None and esistente.pubblicazione_id == pubblicazione.pk:
            if ciclo.stato == Ciclo.Stato.PUBBLICATA:  # the demo reloaded: its state too
                workflow.ciclo_esito_validazione(ciclo=ciclo, utente=nucleo, esito_positivo=True,
                                                 motivazione=esistente.motivazione)
            return EsitoDemoValidazione(documento=esistente, firmato=False)
        documento = DocumentoValidazione(ciclo=ciclo, illustrativo=True, **GIUDIZI)
        services.documento_bozza(documento)
        approvata_il = ciclo.atto_approvazione.data if ciclo.atto_approvazione else None
        documento.ricevuta_il = (approvata_il + datetime.timedelta(days=5) if approvata_il
                                 else datetime.date(anno + 1, 6, 30))
        documento.esito = DocumentoValidazione.Esito.VALIDATA
        documento.motivazione = MOTIVAZIONE
        documento._history_user = nucleo
        documento.save()
        documento.firmatari.add(nucleo)
        documento = services.documento_firma(documento=documento, utente=nucleo)
    return EsitoDemoValidazione(documento=documento, firmato=True)
