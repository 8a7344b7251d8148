"""The wording of each e-mail: plain text, in Italian, with links to the admin built from
``settings.SITO_URL``. Each function returns ``(oggetto, testo)``."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse

from obiettivi.scrivania import url_elenco_obiettivi, url_obiettivo
from seregno_perf.formati import data, giorni_alla_scadenza, quanti

FIRMA = "\n-- \nMessaggio automatico del sistema del ciclo della performance: non rispondere a questo indirizzo.\n"
MASSIMO_ELENCO = 30


def link(percorso: str) -> str:
    return settings.SITO_URL.rstrip("/") + percorso


def _elenco(righe) -> str:
    """One objective per line (code, title, link); at most MASSIMO_ELENCO, then «… e altri N»."""
    linee = [f"- {r[3]} {r[4]}\n  {link(url_obiettivo(r[0]))}" for r in righe[:MASSIMO_ELENCO]]
    if len(righe) > MASSIMO_ELENCO:
        linee.append(f"… e {quanti(len(righe) - MASSIMO_ELENCO, 'altro', 'altri')}.")
    return "\n".join(linee)


def _termine(ciclo, oggi: date) -> str:
    scadenza = ciclo.scadenza_rendicontazione
    if scadenza is None:
        return "Il termine per l'invio non è ancora stato fissato."
    return (f"Il termine per l'invio al Nucleo è il {data(scadenza)} "
            f"({giorni_alla_scadenza(scadenza, oggi)}).")


def apertura(ciclo, da_inviare, *, oggi: date):
    oggetto = f"{ciclo.ente}: è aperta la rendicontazione {ciclo.anno}"
    if da_inviare:
        corpo = (f"Hai {quanti(len(da_inviare), 'obiettivo', 'obiettivi')} da rendicontare:\n\n"
                 f"{_elenco(da_inviare)}")
    else:
        corpo = "Tutti i tuoi obiettivi sono già stati inviati al Nucleo."
    testo = (
        f"Buongiorno,\n\nil ciclo della performance {ciclo.anno} di {ciclo.ente} è in "
        f"rendicontazione: per ogni obiettivo della tua area inserisci i valori raggiunti, la "
        f"relazione e il grado proposto, poi invialo al Nucleo di valutazione.\n"
        f"{_termine(ciclo, oggi)}\n\n{corpo}\n\nLa tua scrivania: {link(reverse('admin:index'))}\n"
        f"{FIRMA}"
    )
    return oggetto, testo


def scadenza(ciclo, da_inviare, *, oggi: date):
    quando = giorni_alla_scadenza(ciclo.scadenza_rendicontazione, oggi)
    n = quanti(len(da_inviare), "obiettivo", "obiettivi")
    oggetto = f"{ciclo.ente} {ciclo.anno}: {quando} al termine della rendicontazione" if (
        quando != "scade oggi") else f"{ciclo.ente} {ciclo.anno}: la rendicontazione scade oggi"
    testo = (
        f"Buongiorno,\n\n{_termine(ciclo, oggi)}\n"
        f"{'Resta' if len(da_inviare) == 1 else 'Restano'} da inviare al Nucleo {n}:\n\n"
        f"{_elenco(da_inviare)}\n\nLa tua scrivania: {link(reverse('admin:index'))}\n{FIRMA}"
    )
    return oggetto, testo


def rinvio(ciclo, pk, codice, titolo, commento):
    oggetto = f"{ciclo.ente} {ciclo.anno}: l'obiettivo {codice} è stato rinviato dal Nucleo"
    testo = (
        f"Buongiorno,\n\nil Nucleo di valutazione ha rinviato l'obiettivo {codice} «{titolo}» "
        f"con questo commento:\n\n{commento}\n\nCorreggi e invialo di nuovo:\n"
        f"{link(url_obiettivo(pk))}\n{FIRMA}"
    )
    return oggetto, testo


def invii_nucleo(invii, cicli, *, oggi: date):
    """``invii``: (when, objective id, code, title, cycle id, area) rows."""
    oggetto = (f"Riepilogo del {data(oggi)}: "
               f"{quanti(len(invii), 'obiettivo inviato', 'obiettivi inviati')} al Nucleo")
    blocchi = []
    for ciclo_id in sorted({r[4] for r in invii}):
        ciclo = cicli[ciclo_id]
        righe = [r for r in invii if r[4] == ciclo_id]
        linee = [f"- {r[2]} {r[3]} ({r[5]}), inviato il {data(r[0])}\n  {link(url_obiettivo(r[1]))}"
                 for r in righe[:MASSIMO_ELENCO]]
        if len(righe) > MASSIMO_ELENCO:
            linee.append(f"… e {quanti(len(righe) - MASSIMO_ELENCO, 'altro', 'altri')}.")
        coda = link(url_elenco_obiettivi(ciclo=ciclo_id, stato_rendicontazione="inviato"))
        blocchi.append(f"{ciclo}:\n" + "\n".join(linee) + f"\nDa esaminare: {coda}")
    testo = (
        "Buongiorno,\n\ndall'ultimo riepilogo i dirigenti hanno inviato al Nucleo di "
        "valutazione questi obiettivi:\n\n" + "\n\n".join(blocchi)
        + f"\n\nLa scrivania del Nucleo: {link(reverse('admin:index'))}\n{FIRMA}"
    )
    return oggetto, testo


def tutti_validati(ciclo):
    oggetto = f"{ciclo.ente} {ciclo.anno}: tutti gli obiettivi sono validati"
    testo = (
        f"Buongiorno,\n\nil Nucleo di valutazione ha validato tutti gli obiettivi attivi del "
        f"ciclo {ciclo.anno} di {ciclo.ente} (ora in «{ciclo.get_stato_display()}»). Il ciclo "
        f"può passare allo stato successivo:\n"
        f"{link(reverse('admin:obiettivi_ciclo_avanza', args=[ciclo.pk]))}\n{FIRMA}"
    )
    return oggetto, testo
