"""Template tags of the citizen-facing report: charts with their table twin, Italian numbers.

    {% load relazione %}
    {% grafico_barre "grafico-aree" "Grado per area" "Descrizione…" righe 5 scala_min=1 %}
    {{ livello|numero_it }}  → "4,00"      {{ abitanti|numero_it:0 }} → "43.878"
    {{ i.target|con_unita:i.unita }} → "40.000 dosi"
    {{ ciclo.data|data_it }}  → "31/12/2021"

See docs/frontend.md for the whole API.
"""

from django import template

from seregno_perf import formati
from trasparenza import charts

register = template.Library()

_ID_GIA_USATI = "_relazione_id_grafici"


def _registra_id(context, chart_id):
    """Chart ids are unique within one page: a duplicate would break aria-labelledby."""
    usati = context.dicts[0].setdefault(_ID_GIA_USATI, set())
    if chart_id in usati:
        raise ValueError(f"Identificativo di grafico ripetuto nella pagina: «{chart_id}».")
    usati.add(chart_id)


def _contesto(context, grafico, titolo, descrizione, **extra):
    _registra_id(context, grafico.id)
    return {"g": grafico, "titolo": titolo, "descrizione": descrizione, **extra}


def _tag_assi(costruttore):
    """The template tag of a chart on an axis (bars, columns): same arguments for both."""

    def tag(
        context, id, titolo, descrizione, righe, scala_max, *, scala_min=0, riferimento=None,
        riferimento_etichetta="", decimali=2, unita="", passo=None,
        intestazione_etichetta="Voce", intestazione_valore="Valore",
    ):
        grafico = costruttore(
            id, righe, scala_max=scala_max, scala_min=scala_min, riferimento=riferimento,
            riferimento_etichetta=riferimento_etichetta, decimali=int(decimali), unita=unita,
            passo=passo,
        )
        return _contesto(
            context, grafico, titolo, descrizione,
            intestazione_etichetta=intestazione_etichetta, intestazione_valore=intestazione_valore,
        )

    return tag


grafico_barre = register.inclusion_tag(
    "trasparenza/grafici/barre.html", takes_context=True, name="grafico_barre"
)(_tag_assi(charts.grafico_barre))
grafico_colonne = register.inclusion_tag(
    "trasparenza/grafici/colonne.html", takes_context=True, name="grafico_colonne"
)(_tag_assi(charts.grafico_colonne))


@register.inclusion_tag("trasparenza/grafici/composizione.html", takes_context=True)
def grafico_composizione(
    context, id, titolo, descrizione, componenti, scala_max, *, totale=None,
    etichetta_totale="Totale", decimali=2, passo=None,
    intestazione_etichetta="Componente", intestazione_nota="Calcolo",
    intestazione_valore="Contributo",
):
    grafico = charts.grafico_composizione(
        id, componenti, scala_max=scala_max, totale=totale, etichetta_totale=etichetta_totale,
        decimali=int(decimali), passo=passo,
    )
    return _contesto(
        context, grafico, titolo, descrizione,
        intestazione_etichetta=intestazione_etichetta, intestazione_nota=intestazione_nota,
        intestazione_valore=intestazione_valore,
        con_note=any(segmento.nota for segmento in grafico.segmenti),
    )


@register.filter
def numero_it(valore, decimali=2):
    """``seregno_perf.formati.numero``: ``Decimal("4")`` → "4,00", 1254300 → "1.254.300,00";
    the argument is the number of decimals (``"0"``: 43878 → "43.878"). ``None`` and "" give "";
    text that is not a number is shown as it is (e.g. "n.d.")."""
    if valore is None or valore == "":
        return ""
    try:
        decimali = int(decimali)
    except (TypeError, ValueError):
        raise template.TemplateSyntaxError(
            f"numero_it: argomento «{decimali}» non valido; usare un numero di decimali (es. \"0\")."
        ) from None
    try:
        return formati.numero(valore, decimali)
    except ValueError:
        return valore


@register.filter
def con_unita(valore, unita=""):
    """A measured value with its unit (``formati.misura``): 40000, "dosi" → "40.000 dosi";
    12.5, "%" → "12,5 %"; 1254300, "€" → "1.254.300,00 €"; ``None`` → "—"."""
    if valore is None or valore == "":
        return formati.VUOTO
    try:
        return formati.misura(valore, unita)
    except ValueError:
        return valore


@register.filter
def voce(dizionario, chiave):
    """``{{ etichette_aree|voce:c.area_codice }}``: a dict's value for a key ("" if missing)."""
    return dizionario.get(chiave, "") if hasattr(dizionario, "get") else ""


@register.filter
def data_it(valore):
    """``seregno_perf.formati.data``: ``date(2021, 12, 31)`` → "31/12/2021"; an aware datetime
    is shown in local time; the ISO text of the report data ("2021-12-31") is read first (other
    text is shown as it is)."""
    if isinstance(valore, str) and valore.strip():
        try:
            valore = formati.leggi_data(valore)
        except formati.DataNonValida:
            return valore
    return formati.data(valore)


@register.filter
def data_lunga_it(valore):
    """``seregno_perf.formati.data_lunga``: "2021-02-01" → "1 febbraio 2021" (running text)."""
    return formati.data_lunga(valore)
