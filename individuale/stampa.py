"""The schede di valutazione in one PDF, one scheda per page (action «Stampa le schede in PDF»).

The same pipeline as the Relazione (``trasparenza.services.pdf_da_html`` with the print
stylesheet ``stampa.css``). The scores of a scheda are printed only where ``permessi.vede_punteggi``
lets the user see them: otherwise they are not in the document at all. The caller passes schede
already limited to the visible ones (``permessi.schede_visibili``); they are checked again here.
"""

from django.db.models import Prefetch
from django.template.loader import render_to_string

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


def html_schede(schede, user) -> str:
    return render_to_string("admin/individuale/stampa_schede.html", {"schede": dati_schede(schede, user)})


def pdf_schede(schede, user) -> bytes:
    from trasparenza.services import pdf_da_html

    return pdf_da_html(html_schede(schede, user), archivio=False)


__all__ = ["SchedaValutazione", "dati_schede", "html_schede", "pdf_schede"]
