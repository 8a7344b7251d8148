"""The schede di valutazione in one PDF, one scheda per page (action «Stampa le schede in PDF»),
made by a background job (``corpo_stampa``): the request only queues it, whatever the number of
schede, and the requester downloads the file from the job's page.

The same pipeline as the Relazione (``trasparenza.services.pdf_da_html`` with the print
stylesheet ``stampa.css``). The scores of a scheda are printed only where ``permessi.vede_punteggi``
lets the user see them: otherwise they are not in the document at all. The caller passes schede
already limited to the visible ones (``permessi.schede_visibili``); they are checked again here.
"""

import io

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.text import slugify

from lavori.avanzamento import passo
from lavori.servizi import Esito, salva_file
from obiettivi import permessi
from seregno_perf import formati

from .models import COMPONENTI, ObiettivoIndividuale, PunteggioComportamento, SchedaValutazione


def dati_schede(schede, user) -> list[dict]:
    """What the PDF prints of each scheda ``user`` may see: plain values, scores only where
    ``vede_punteggi``. A fixed number of queries, whatever the number of schede."""
    schede = (permessi.schede_visibili(user, schede)
              .select_related("persona", "ciclo__ente", "gruppo", "area", "valutatore")
              .prefetch_related(
                  Prefetch("obiettivi", ObiettivoIndividuale.objects.select_related("obbligatorio", "obiettivo")),
                  Prefetch("comportamenti", PunteggioComportamento.objects.select_related("comportamento")))
              .order_by("ciclo__anno", "persona__cognome", "persona__nome", "persona__matricola"))
    dati = []
    for s in schede:
        vede = permessi.vede_punteggi(user, s)
        componenti = [
            {"nome": nome, "peso": formati.percentuale(getattr(s, campo), None)}
            for campo, nome in COMPONENTI if getattr(s, campo)
        ]
        dati.append({
            "persona": str(s.persona),
            "ente": s.ciclo.ente.nome,
            "anno": str(s.ciclo.anno),
            "gruppo": s.gruppo.nome,
            "area": s.area.nome if s.area else "—",
            "valutatore": (s.valutatore.get_full_name() or s.valutatore.username) if s.valutatore else "—",
            "stato": s.get_stato_display(),
            "part_time": formati.percentuale(s.part_time, None),
            "componenti": componenti,
            "vede_punteggi": vede,
            "punteggi": [
                ("Risultati dell'ente", formati.numero(s.punteggio_ente, 2)),
                ("Risultati dell'area", formati.numero(s.punteggio_area, 2)),
                ("Punteggio finale", formati.numero(s.punteggio_finale, 2)),
            ] if vede else [],
            "obiettivi": [
                {"descrizione": o.descrizione, "peso": formati.percentuale(o.peso, None),
                 "obbligatorio": o.obbligatorio.riferimento if o.obbligatorio else "",
                 "risultato": formati.percentuale(o.risultato, None) if vede else None}
                for o in s.obiettivi.all()
            ],
            "comportamenti": [
                {"nome": c.comportamento.nome, "livello": (str(c.livello) if c.livello else "—") if vede else None,
                 "commento": c.commento if vede else ""}
                for c in s.comportamenti.all()
            ],
            "commento": s.commento_valutatore if vede else "",
        })
    return dati


SCHEDE_PER_BLOCCO = 50


def pdf_schede(dati: list[dict]) -> tuple[bytes, int]:
    """The PDF of the schede of ``dati_schede`` (each from a new page) and its number of pages.

    Rendered ``SCHEDE_PER_BLOCCO`` schede at a time and the pieces joined (pypdf): WeasyPrint
    keeps the layout of the whole document in memory until it is written, so one document of
    500 schede would take the worker's memory to about 850 MB. The PDF is neither tagged nor
    PDF/A, and has no table of contents or page counter across schede: nothing is lost in
    joining (the Relazione, archival and tagged, is rendered in one piece)."""
    from pypdf import PdfReader, PdfWriter

    from trasparenza.services import pdf_e_pagine

    def pdf(schede):
        return pdf_e_pagine(render_to_string("admin/individuale/stampa_schede.html", {"schede": schede}),
                            archivio=False)

    n = len(dati)
    if n <= SCHEDE_PER_BLOCCO:
        passo("PDF")
        return pdf(dati)
    unito, pagine = PdfWriter(), 0
    for inizio in range(0, n, SCHEDE_PER_BLOCCO):
        blocco = dati[inizio:inizio + SCHEDE_PER_BLOCCO]
        passo(f"PDF: schede da {inizio + 1} a {inizio + len(blocco)} di {n}")
        contenuto, pagine_blocco = pdf(blocco)
        lettore = PdfReader(io.BytesIO(contenuto))
        if not inizio:
            unito.add_metadata(dict(lettore.metadata or {}))
        unito.append(lettore)
        pagine += pagine_blocco
    uscita = io.BytesIO()
    unito.write(uscita)
    return uscita.getvalue(), pagine


def _nome_file(dati: list[dict]) -> str:
    """``schede_<ente>_<anno>.pdf``: the ente and the year when the schede share them."""
    parti = ["schede"]
    for chiave in ("ente", "anno"):
        valori = {d[chiave] for d in dati}
        if len(valori) == 1:
            parti.append(slugify(valori.pop()).replace("-", "_"))
    return "_".join(parti) + ".pdf"


def _ids_schede(parametri) -> list[int]:
    ids = parametri.get("schede") if isinstance(parametri, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise ValidationError("Il lavoro non indica quali schede stampare: selezionarle di nuovo "
                              "nell'elenco delle schede e ripetere l'azione «Stampa le schede in PDF».")
    return ids


def corpo_stampa(lavoro) -> Esito:
    """The body of the job «Stampa delle schede di valutazione» (``lavori.servizi.CORPI``).

    The schede selected (``lavoro.parametri["schede"]``, ids) are printed with the visibility of
    the user who asked **now**, not at the request: a role lost meanwhile leaves out the schede it
    opened (``dati_schede`` → ``schede_visibili``) and the scores it showed (``vede_punteggi``);
    the schede left out are counted in the outcome. None left: the job fails with the reason. The
    PDF is stored privately (``salva_file``, ``MEDIA_ROOT/lavori/<id>/``) for the requester only."""
    ids = _ids_schede(lavoro.parametri)
    utente = lavoro.utente
    if utente is None:
        raise ValidationError("L'utente che ha chiesto la stampa non esiste più: il PDF non è stato prodotto.")
    passo(f"Preparazione di {formati.quanti(len(ids), 'scheda', 'schede')}")
    dati = dati_schede(SchedaValutazione.objects.filter(pk__in=ids), utente)
    escluse = len(set(ids)) - len(dati)
    if not dati:
        raise ValidationError("Nessuna delle schede selezionate è ancora visibile con il tuo ruolo "
                              "(o sono state eliminate): il PDF non è stato prodotto.")
    pdf, pagine = pdf_schede(dati)
    passo("Salvataggio del file")
    percorso = salva_file(lavoro, _nome_file(dati), pdf)
    senza_punteggi = sum(not d["vede_punteggi"] for d in dati)
    testo = (f"{'Stampata' if len(dati) == 1 else 'Stampate'} "
             f"{formati.quanti(len(dati), 'scheda', 'schede')} in {formati.quanti(pagine, 'pagina', 'pagine')}.")
    if escluse:
        testo += (" 1 scheda selezionata non è stata stampata: non è più visibile con il tuo ruolo "
                  "o è stata eliminata." if escluse == 1 else
                  f" {escluse} schede selezionate non sono state stampate: non sono più visibili "
                  "con il tuo ruolo o sono state eliminate.")
    return Esito(testo, {"schede": len(dati), "pagine": pagine, "escluse": escluse,
                         "senza_punteggi": senza_punteggi, "byte": len(pdf)}, file=percorso)


__all__ = ["SchedaValutazione", "corpo_stampa", "dati_schede", "pdf_schede"]
