"""The Seregno 2021 demo as it looks in the middle of reporting, for the desks' browser test and
screenshots: the cycle back in «Rendicontazione» with a deadline 12 days away, the Lavori
pubblici objectives in every reporting state (one sent back with the Nucleo's comment), others
sent to the Nucleo, the rest validated (a cycle reopened after its first publication, when
``con_2022``)."""

from datetime import timedelta

from django.utils import timezone

from obiettivi.demo import carica_demo, carica_demo_successivo
from obiettivi.models import Ciclo, Obiettivo

R = Obiettivo.StatoRendicontazione
AREA = "lavori-pubblici"
COMMENTO = ("Indicare la data di fine lavori e allegare il verbale di collaudo: il grado proposto "
            "non è coerente con la fase «Collaudo» ferma al 60%.")


def prepara_demo_in_rendicontazione(*, giorni=12, con_2022=False):
    """``con_2022``: also the published 2022 (as ``carica_demo`` makes it; two PDFs, slower)."""
    carica_demo()
    if con_2022:
        carica_demo_successivo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    Ciclo.objects.filter(pk=ciclo.pk).update(
        stato=Ciclo.Stato.RENDICONTAZIONE, atto_approvazione=None,
        scadenza_rendicontazione=timezone.localdate() + timedelta(days=giorni),
    )
    attivi = Obiettivo.objects.filter(ciclo=ciclo, stato=Obiettivo.Stato.ATTIVO)
    attivi.update(stato_rendicontazione=R.VALIDATO)
    lavori = list(attivi.filter(area__slug=AREA).order_by("ordine", "codice"))
    da_rendicontare, rinviato, inviati = lavori[:3], lavori[3], lavori[4:6]
    Obiettivo.objects.filter(pk__in=[o.pk for o in da_rendicontare]).update(
        stato_rendicontazione=R.BOZZA, relazione="", grado_proposto=None, grado_validato=None,
        motivazione_grado="",
    )
    Obiettivo.objects.filter(pk=rinviato.pk).update(
        stato_rendicontazione=R.RINVIATO, grado_validato=None, commento_nucleo=COMMENTO)
    Obiettivo.objects.filter(pk__in=[o.pk for o in inviati]).update(
        stato_rendicontazione=R.INVIATO, grado_validato=None)
    # one proposal far from what its indicators and phases give, for the Nucleo's list
    Obiettivo.objects.filter(pk=inviati[0].pk).update(grado_proposto=1)
    # in two other areas, the first three objectives wait for the Nucleo
    for slug in ("territorio", "servizi-persona"):
        altri = attivi.filter(area__slug=slug).order_by("ordine", "codice").values_list("pk", flat=True)[:3]
        Obiettivo.objects.filter(pk__in=list(altri)).update(
            stato_rendicontazione=R.INVIATO, grado_validato=None)
    ciclo.refresh_from_db()
    return ciclo, da_rendicontare
