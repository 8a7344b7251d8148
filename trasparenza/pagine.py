"""The public pages of a publication, rendered from its frozen data.

The views (on a request) and ``trasparenza.services.file_pubblicati_scrivi`` (once, at
publication, into the files that ``trasparenza.middleware`` serves) both call these functions,
so a page is the same bytes whichever way it reaches the citizen. No function here reads the
request: a published page is the same for every visitor.
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from valutazione import scoring

from . import presenter
from .report import LICENZA


SEGNAPOSTO_SCARICA = "<!-- scarica-e-versioni -->"

# The pages that list the objectives of one class of outcome (scoring.classe_esito), by the
# slug of their URL /<ente>/<anno>/esiti/<slug>/, and how their title names the class.
ESITI = {
    "raggiunti": scoring.ESITO_RAGGIUNTO,
    "raggiunti-in-parte": scoring.ESITO_PARZIALE,
    "non-raggiunti": scoring.ESITO_NON_RAGGIUNTO,
    "esclusi": scoring.ESITO_ESCLUSO,
    "non-valutati": scoring.ESITO_NON_VALUTATO,
}
ETICHETTE_ESITI = {
    scoring.ESITO_RAGGIUNTO: "Obiettivi raggiunti",
    scoring.ESITO_PARZIALE: "Obiettivi raggiunti in parte",
    scoring.ESITO_NON_RAGGIUNTO: "Obiettivi non raggiunti",
    scoring.ESITO_ESCLUSO: "Obiettivi tolti dal piano, rinviati o sospesi",
    scoring.ESITO_NON_VALUTATO: "Obiettivi ancora senza voto",
}


def relazione(pubblicazione, versioni, validazione=None) -> str:
    """The report page: the frozen body inside the layout, with the downloads and the list of
    ``versioni`` (newest first) right below «In sintesi» (where the body marks their place;
    before the body in a publication made before the summary existed). Above the downloads,
    the Nucleo's validation of this version (``queries.validazione_di``), or «in attesa di
    validazione»."""
    ciclo = pubblicazione.ciclo
    contesto = {
        "validazione": validazione,
        "pubblicazione": pubblicazione,
        "anno": ciclo.anno,
        "ente_nome": ciclo.ente.nome,
        "url_base": f"/{ciclo.ente.slug}/{ciclo.anno}/",
        "licenza": LICENZA,
        "versioni": versioni,
    }
    scarica = (render_to_string("trasparenza/relazione/_validazione.html", contesto)
               + render_to_string("trasparenza/relazione/_scarica.html", contesto))
    corpo = pubblicazione.html  # rendered by our templates at publication
    if SEGNAPOSTO_SCARICA in corpo:
        corpo = corpo.replace(SEGNAPOSTO_SCARICA, scarica, 1)
    else:
        corpo = scarica + corpo
    contesto["corpo"] = mark_safe(corpo)
    return render_to_string("trasparenza/relazione.html", contesto)


class Dettagli:
    """The pages of one objective, linea or area of a publication's data. The shared part of
    their context is built once, for rendering many pages in a row."""

    def __init__(self, dati, pubblicazione, *, vicini=None):
        """``vicini``: the ente's published cycles right before and after this one
        (``queries.anni_vicini``), or a function returning them, called only if an objective's
        page is rendered: each objective links to the same code in them."""
        self.base = presenter.contesto(dati, pubblicazione=pubblicazione)
        self.dati = self.base["dati"]
        self._vicini = vicini

    @property
    def vicini(self):
        if callable(self._vicini):
            self._vicini = self._vicini()
        return self._vicini or {}

    def _render(self, template, **extra):
        return render_to_string(template, {**self.base, **extra})

    def obiettivo(self, codice) -> str | None:
        ob = next((o for o in self.dati["obiettivi"] if o["codice"] == codice), None)
        return None if ob is None else self._render_obiettivo(ob)

    def _render_obiettivo(self, ob) -> str:
        altri_anni = [
            {"anno": v["anno"], "rel": rel}
            for chiave, rel in (("precedente", "prev"), ("successivo", "next"))
            if (v := self.vicini.get(chiave)) and ob["codice"] in v["codici"]
        ]
        return self._render("trasparenza/obiettivo.html", ob=ob, altri_anni=altri_anni)

    def linea(self, codice) -> str | None:
        l = next((l for l in self.dati["linee"] if l["codice"] == codice), None)  # noqa: E741
        return None if l is None else self._render_linea(l)

    def _render_linea(self, l) -> str:  # noqa: E741
        obiettivi = [o for o in self.dati["obiettivi"] if o["linea"] == l["codice"]]
        righe_azioni = [
            {"etichetta": f"{a['codice']} {a['titolo']}", "valore": a["grado"]}
            for a in l["azioni"]
            if a["grado"] is not None
        ]
        return self._render(
            "trasparenza/linea.html", linea=l, obiettivi=obiettivi,
            righe_azioni=righe_azioni or [{"etichetta": "Nessuna azione valutata", "valore": 0}],
        )

    def area(self, slug) -> str | None:
        a = next((a for a in self.dati["aree"] if a["slug"] == slug), None)
        return None if a is None else self._render_area(a)

    def _render_area(self, a) -> str:
        obiettivi = [o for o in self.dati["obiettivi"] if o["area_slug"] == a["slug"]]
        risultato = next(
            (r for r in self.dati["risultati_aree"] if r.get("area_codice") == a["codice"]), None
        )
        distribuzione = [
            {"etichetta": f"{d['grado']} — {d['etichetta']}", "valore": d["n"]}
            for d in (risultato or {}).get("distribuzione", [])
        ]
        return self._render(
            "trasparenza/area.html", area=a, obiettivi=obiettivi,
            risultato=risultato, righe_distribuzione=distribuzione,
            massimo_distribuzione=max([d["valore"] for d in distribuzione] + [1]),
        )

    def elenco(self, esito=None) -> str | None:
        """The list of every objective (``esito`` None), or of those of one class of outcome
        (``ESITI``, by its slug), with the links that filter it: by outcome, area and linea."""
        if esito is not None and esito not in ESITI:
            return None
        classe = ESITI.get(esito)
        obiettivi = [o for o in self.dati["obiettivi"]
                     if classe is None or o.get("classe_esito") == classe]
        conteggi = {}
        for o in self.dati["obiettivi"]:
            conteggi[o.get("classe_esito")] = conteggi.get(o.get("classe_esito"), 0) + 1
        filtri_esito = [
            {"slug": slug, "etichetta": ETICHETTE_ESITI[c], "n": conteggi.get(c, 0),
             "corrente": slug == esito}
            for slug, c in ESITI.items() if conteggi.get(c)
        ]
        return self._render(
            "trasparenza/obiettivi.html", obiettivi=obiettivi, esito=esito,
            titolo_elenco=ETICHETTE_ESITI[classe] if classe else "Tutti gli obiettivi",
            filtri_esito=filtri_esito,
        )

    def premi(self, _chiave=None) -> str | None:
        """The art. 20 D.Lgs. 33/2013 page (the ``premi`` aggregates); None for data published
        before it existed."""
        if "premi" not in self.dati:
            return None
        return self._render("trasparenza/premi.html")

    def tutte(self):
        """(relative path under the version's folder, page) for every objective, linea and
        area of the data, the list of objectives and its pages per outcome, the bonuses."""
        yield "obiettivi/index.html", self.elenco()
        if (premi := self.premi()) is not None:
            yield "premi/index.html", premi
        for slug in ESITI:
            pagina = self.elenco(slug)
            if pagina is not None:
                yield f"esiti/{slug}/index.html", pagina
        for ob in self.dati["obiettivi"]:
            yield f"obiettivi/{ob['codice']}/index.html", self._render_obiettivo(ob)
        for l in self.dati["linee"]:  # noqa: E741
            yield f"linee/{l['codice']}/index.html", self._render_linea(l)
        for a in self.dati["aree"]:
            yield f"aree/{a['slug']}/index.html", self._render_area(a)
