"""Chart geometry for the report's hand-written SVG templates: pure, no database.

Each function takes plain values (labels and ``Decimal``-like numbers) and returns a frozen
dataclass holding everything a template under ``trasparenza/templates/trasparenza/grafici/``
needs: coordinates in user units of the SVG ``viewBox``, fill colours as plain attributes (no CSS
variables: WeasyPrint must draw the same picture as Chromium) and the value labels already
formatted the Italian way ("4,00"). The templates add ``<title>``, ``<desc>`` and a table twin
holding the same numbers.

Values outside the declared scale raise ``ValueError`` with an Italian message: a bar that
silently overflows its axis would misstate a grade.
"""

import re
import textwrap
from dataclasses import dataclass
from decimal import Decimal

from seregno_perf import formati

# Fills for bars and segments: each has a contrast of at least 3:1 against white (WCAG 1.4.11),
# checked in tests/trasparenza/test_charts.py. Order matters: neighbouring segments differ in hue.
PALETTE = ("#0066CC", "#B35900", "#008055", "#6F3FA0", "#A61D5B", "#5C6F82")
COLORE_TESTO = "#262626"  # dark grey, 15:1 on white
COLORE_GRIGLIA = "#C5C7C9"  # decorative grid lines only
COLORE_RIFERIMENTO = "#A61D5B"

FONT_FAMILY = "'Titillium Web', 'DejaVu Sans', sans-serif"
ID_VALIDO = re.compile(r"^[a-z][a-z0-9-]{0,59}$")


# --- numbers: read and written by seregno_perf.formati --------------------------------------


def _decimale(valore, *, dove="valore"):
    """An int, Decimal, float or numeric text (read by ``formati.leggi_numero``) as a finite
    Decimal, or ValueError with an Italian message."""
    if isinstance(valore, bool) or valore is None or isinstance(valore, (list, dict, tuple)):
        raise ValueError(f"{dove}: atteso un numero, ricevuto «{valore!r}».")
    try:
        risultato = formati.leggi_numero(valore)
    except formati.NumeroNonValido as errore:
        raise ValueError(f"{dove}: {errore}") from None
    if risultato is None:
        raise ValueError(f"{dove}: atteso un numero, ricevuto «{valore!r}».")
    return risultato


def formatta_numero(valore, decimali=2, unita=""):
    """A chart's label (``formati.numero``): ``Decimal("4")`` → "4,00", 43878 → "43.878,00",
    with ``unita="%"``: "80 %"."""
    return formati.numero(_decimale(valore), decimali, unita=unita.strip())


# --- shared helpers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Tacca:
    """A grid line with its label on the value axis."""

    posizione: float
    testo: str


@dataclass(frozen=True)
class Riferimento:
    """A reference line (target, mean, threshold) drawn across the plot."""

    posizione: float
    valore: Decimal
    valore_testo: str
    etichetta: str


def _controlla_id(chart_id):
    if not isinstance(chart_id, str) or not ID_VALIDO.match(chart_id):
        raise ValueError(
            f"Identificativo del grafico non valido: «{chart_id}». Usare lettere minuscole, "
            "cifre e trattini, iniziando con una lettera (es. «grafico-aree»)."
        )
    return chart_id


def _scala(scala_min, scala_max):
    minimo = _decimale(scala_min, dove="scala_min")
    massimo = _decimale(scala_max, dove="scala_max")
    if massimo <= minimo:
        raise ValueError(
            f"Scala del grafico non valida: il massimo ({formatta_numero(massimo)}) deve essere "
            f"maggiore del minimo ({formatta_numero(minimo)})."
        )
    return minimo, massimo


def _nel_campo(valore, minimo, massimo, dove):
    numero = _decimale(valore, dove=dove)
    if numero < minimo or numero > massimo:
        raise ValueError(
            f"{dove}: il valore {formatta_numero(numero)} è fuori scala "
            f"(ammessi da {formatta_numero(minimo)} a {formatta_numero(massimo)})."
        )
    return numero


def _passo_automatico(minimo, massimo):
    """A round step giving at most 5 intervals, preferably ending on the maximum:
    1 for 1–5, 0–5 and 0–3; 25 for 0–100; 20 for 0–80."""
    ampiezza = massimo - minimo
    candidati = [Decimal(c) for c in ("0.1", "0.2", "0.25", "0.5", "1", "2", "5", "10", "25", "20",
                                       "50", "100", "250", "200", "500", "1000")]
    adatti = [passo for passo in candidati if ampiezza / passo <= 5]
    esatti = [passo for passo in adatti if ampiezza % passo == 0]
    if esatti:
        return esatti[0]
    return adatti[0] if adatti else ampiezza / 5


def _tacche(minimo, massimo, passo, posizione, decimali_tacche):
    passo = _passo_automatico(minimo, massimo) if passo is None else _decimale(passo, dove="passo")
    if passo <= 0:
        raise ValueError("passo: deve essere maggiore di zero.")
    tacche = []
    valore = minimo
    while valore <= massimo and len(tacche) < 51:
        tacche.append(Tacca(posizione(valore), formatta_numero(valore, decimali_tacche)))
        valore += passo
    return tuple(tacche)


def _decimali_tacche(minimo, massimo, passo):
    valori = [minimo, massimo] + ([] if passo is None else [_decimale(passo, dove="passo")])
    return max(max(-v.normalize().as_tuple().exponent, 0) for v in valori)


def _righe(righe):
    """Accept ``[(etichetta, valore), …]`` or ``[{"etichetta": …, "valore": …}, …]``."""
    risultato = []
    for numero, riga in enumerate(righe, start=1):
        if isinstance(riga, dict):
            try:
                etichetta, valore = riga["etichetta"], riga["valore"]
            except KeyError:
                raise ValueError(
                    f"Riga {numero} del grafico: servono le chiavi «etichetta» e «valore»."
                ) from None
        else:
            try:
                etichetta, valore = riga
            except (TypeError, ValueError):
                raise ValueError(
                    f"Riga {numero} del grafico: attesa una coppia (etichetta, valore)."
                ) from None
        risultato.append((str(etichetta), valore))
    if not risultato:
        raise ValueError("Il grafico non ha righe da disegnare.")
    return risultato


def _a_capo(testo, caratteri):
    """Wrap a label into lines of at most ``caratteri`` characters. Never cut: a label is read
    whole in the chart (issue 13: «…NON…» said nothing); the chart grows to hold its lines."""
    return tuple(textwrap.wrap(testo, caratteri) or [""])


def _larghezza(frazione, area):
    """Bar length for a fraction of the plot, clamped to [0, area]; a non-zero value shows ≥ 1."""
    lunghezza = float(frazione) * area
    if frazione > 0:
        lunghezza = max(lunghezza, 1.0)
    return round(min(max(lunghezza, 0.0), area), 2)


# --- horizontal bars -------------------------------------------------------------------------


@dataclass(frozen=True)
class Barra:
    etichetta: str
    linee_etichetta: tuple  # the label wrapped for the SVG; the full text is in ``etichetta``
    valore: Decimal
    valore_testo: str
    y_etichetta: float  # baseline of the first label line
    y: float  # top of the bar
    larghezza: float
    colore: str
    x_valore: float  # start of the value label, right of the bar
    y_valore: float  # baseline of the value label


@dataclass(frozen=True)
class GraficoBarre:
    id: str
    larghezza: int
    altezza: float
    x0: float  # left edge of the plot
    area: float  # plot width
    y_asse: float  # baseline of the tick labels
    y_griglia_inizio: float
    y_griglia_fine: float
    altezza_barra: int
    interlinea: int
    barre: tuple
    tacche: tuple
    riferimento: Riferimento | None
    scala_min: Decimal
    scala_max: Decimal
    unita: str
    font_family: str = FONT_FAMILY
    colore_testo: str = COLORE_TESTO
    colore_griglia: str = COLORE_GRIGLIA
    colore_riferimento: str = COLORE_RIFERIMENTO


def grafico_barre(
    chart_id,
    righe,
    *,
    scala_max,
    scala_min=0,
    riferimento=None,
    riferimento_etichetta="",
    decimali=2,
    unita="",
    passo=None,
    colore=PALETTE[0],
    larghezza=640,
):
    """Horizontal bars, one per row, label above each bar and value at its end.

    ``righe``: pairs ``(etichetta, valore)`` or dicts with those keys. ``scala_min``/``scala_max``
    bound the axis (grades 1–5, coverage 0–100, barometro 0–3). ``riferimento`` draws a dashed
    vertical line (a target or a mean) labelled ``riferimento_etichetta``.
    """
    chart_id = _controlla_id(chart_id)
    minimo, massimo = _scala(scala_min, scala_max)
    righe = _righe(righe)
    x0, margine_destro = 8, 72
    area = larghezza - x0 - margine_destro
    altezza_barra, interlinea, spazio = 20, 16, 12
    caratteri = max(int(area / 7), 20)

    def posizione(valore):
        return round(x0 + float((valore - minimo) / (massimo - minimo)) * area, 2)

    y = 34.0 if riferimento is not None else 14.0  # room for the reference label
    barre = []
    for numero, (etichetta, valore) in enumerate(righe, start=1):
        numero_valore = _nel_campo(valore, minimo, massimo, f"Riga {numero} («{etichetta}»)")
        linee = _a_capo(etichetta, caratteri)
        y_etichetta = y + 12
        y_barra = y + len(linee) * interlinea + 2
        lunghezza = _larghezza((numero_valore - minimo) / (massimo - minimo), area)
        barre.append(
            Barra(
                etichetta=etichetta,
                linee_etichetta=linee,
                valore=numero_valore,
                valore_testo=formatta_numero(numero_valore, decimali, unita),
                y_etichetta=y_etichetta,
                y=y_barra,
                larghezza=lunghezza,
                colore=colore,
                x_valore=round(x0 + lunghezza + 6, 2),
                y_valore=y_barra + altezza_barra / 2 + 5,
            )
        )
        y = y_barra + altezza_barra + spazio

    rif = None
    if riferimento is not None:
        valore_rif = _nel_campo(riferimento, minimo, massimo, "Linea di riferimento")
        rif = Riferimento(
            posizione(valore_rif), valore_rif, formatta_numero(valore_rif, decimali, unita),
            riferimento_etichetta,
        )
    decimali_tacche = _decimali_tacche(minimo, massimo, passo)
    return GraficoBarre(
        id=chart_id,
        larghezza=larghezza,
        altezza=y + 18,
        x0=x0,
        area=area,
        y_asse=y + 12,
        y_griglia_inizio=30.0 if rif else 10.0,
        y_griglia_fine=y - spazio / 2,
        altezza_barra=altezza_barra,
        interlinea=interlinea,
        barre=tuple(barre),
        tacche=_tacche(minimo, massimo, passo, posizione, decimali_tacche),
        riferimento=rif,
        scala_min=minimo,
        scala_max=massimo,
        unita=unita,
    )


# --- composition (stacked) bar ----------------------------------------------------------------


@dataclass(frozen=True)
class Segmento:
    etichetta: str
    nota: str  # how the contribution was obtained, e.g. "4,20 × 40 %"
    valore: Decimal
    valore_testo: str
    x: float
    larghezza: float
    colore: str
    y_legenda: float  # top of the legend swatch
    y_legenda_testo: float  # baseline of the legend text
    quota_testo: str  # share of the total, "42 %"


@dataclass(frozen=True)
class GraficoComposizione:
    id: str
    larghezza: int
    altezza: float
    x0: float
    area: float
    y_barra: float
    altezza_barra: int
    y_asse: float
    y_griglia_inizio: float
    y_griglia_fine: float
    y_totale: float
    x_legenda_testo: float
    segmenti: tuple
    tacche: tuple
    totale: Decimal
    totale_testo: str
    x_totale: float
    etichetta_totale: str
    scala_min: Decimal
    scala_max: Decimal
    font_family: str = FONT_FAMILY
    colore_testo: str = COLORE_TESTO
    colore_griglia: str = COLORE_GRIGLIA


def grafico_composizione(
    chart_id,
    componenti,
    *,
    scala_max,
    totale=None,
    etichetta_totale="Totale",
    decimali=2,
    passo=None,
    larghezza=640,
):
    """One stacked bar on ``0–scala_max``: each segment a weighted component's contribution.

    ``componenti``: dicts ``{"etichetta", "valore", "nota"?}`` (or pairs) where ``valore`` is the
    contribution already computed by the scoring (e.g. PFin × 40 %). ``totale`` is the figure the
    scoring published; when omitted it is the sum of the contributions. The chart does not compute
    scores: it draws the ones it is given.
    """
    chart_id = _controlla_id(chart_id)
    minimo, massimo = _scala(0, scala_max)
    righe = []
    for numero, componente in enumerate(componenti, start=1):
        nota = componente.get("nota", "") if isinstance(componente, dict) else ""
        (etichetta, valore), = _righe([componente])
        righe.append((etichetta, _nel_campo(valore, minimo, massimo,
                                            f"Componente {numero} («{etichetta}»)"), str(nota)))
    if not righe:
        raise ValueError("Il grafico di composizione non ha componenti.")
    if len(righe) > len(PALETTE):
        raise ValueError(f"Il grafico di composizione ammette al più {len(PALETTE)} componenti.")
    somma = sum((valore for _, valore, _ in righe), Decimal(0))
    if somma > massimo:
        raise ValueError(
            f"La somma dei contributi ({formatta_numero(somma, decimali)}) supera il massimo della "
            f"scala ({formatta_numero(massimo, decimali)})."
        )
    valore_totale = somma if totale is None else _nel_campo(totale, minimo, massimo, "Totale")

    x0, margine_destro = 8, 72
    area = larghezza - x0 - margine_destro
    y_barra, altezza_barra = 10.0, 36
    segmenti = []
    x = float(x0)
    for indice, (etichetta, valore, nota) in enumerate(righe):
        lunghezza = _larghezza(valore / massimo, area)
        lunghezza = min(lunghezza, round(x0 + area - x, 2))  # rounding never spills over
        quota = (valore / somma * 100) if somma else Decimal(0)
        segmenti.append(
            Segmento(
                etichetta=etichetta,
                nota=nota,
                valore=valore,
                valore_testo=formatta_numero(valore, decimali),
                x=round(x, 2),
                larghezza=lunghezza,
                colore=PALETTE[indice],
                y_legenda=y_barra + altezza_barra + 40 + indice * 24,
                y_legenda_testo=y_barra + altezza_barra + 53 + indice * 24,
                quota_testo=formatta_numero(quota, 0, "%"),
            )
        )
        x += lunghezza

    def posizione(valore):
        return round(x0 + float(valore / massimo) * area, 2)

    return GraficoComposizione(
        id=chart_id,
        larghezza=larghezza,
        altezza=y_barra + altezza_barra + 40 + len(segmenti) * 24 + 4,
        x0=x0,
        area=area,
        y_barra=y_barra,
        altezza_barra=altezza_barra,
        y_asse=y_barra + altezza_barra + 16,
        y_griglia_inizio=y_barra - 4,
        y_griglia_fine=y_barra + altezza_barra + 4,
        y_totale=y_barra + altezza_barra / 2 + 5,
        x_legenda_testo=x0 + 24,
        segmenti=tuple(segmenti),
        tacche=_tacche(minimo, massimo, passo, posizione, _decimali_tacche(minimo, massimo, passo)),
        totale=valore_totale,
        totale_testo=formatta_numero(valore_totale, decimali),
        x_totale=round(x + 6, 2),
        etichetta_totale=etichetta_totale,
        scala_min=minimo,
        scala_max=massimo,
    )


# --- vertical columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Colonna:
    etichetta: str
    linee_etichetta: tuple
    valore: Decimal
    valore_testo: str
    x: float
    y: float
    altezza: float
    x_centro: float
    y_valore: float
    colore: str


@dataclass(frozen=True)
class GraficoColonne:
    id: str
    larghezza: int
    altezza: int
    x0: float
    x1: float
    x_tacche_testo: float
    y_base: float
    larghezza_colonna: float
    interlinea: int
    colonne: tuple
    tacche: tuple
    riferimento: Riferimento | None
    scala_min: Decimal
    scala_max: Decimal
    unita: str
    font_family: str = FONT_FAMILY
    colore_testo: str = COLORE_TESTO
    colore_griglia: str = COLORE_GRIGLIA
    colore_riferimento: str = COLORE_RIFERIMENTO


def grafico_colonne(
    chart_id,
    righe,
    *,
    scala_max,
    scala_min=0,
    riferimento=None,
    riferimento_etichetta="",
    decimali=2,
    unita="",
    passo=None,
    colore=PALETTE[0],
    larghezza=640,
    altezza_area=200,
):
    """Vertical columns for a few short categories (years, objective types)."""
    chart_id = _controlla_id(chart_id)
    minimo, massimo = _scala(scala_min, scala_max)
    righe = _righe(righe)
    x0, x1 = 48.0, float(larghezza - 8)
    y_top = 24.0
    y_base = y_top + altezza_area
    interlinea = 14
    slot = (x1 - x0) / len(righe)
    larghezza_colonna = round(min(slot * 0.6, 80), 2)
    caratteri = max(int(slot / 6.5), 6)

    def posizione(valore):
        return round(y_base - float((valore - minimo) / (massimo - minimo)) * altezza_area, 2)

    colonne = []
    for indice, (etichetta, valore) in enumerate(righe):
        numero = _nel_campo(valore, minimo, massimo, f"Riga {indice + 1} («{etichetta}»)")
        h = _larghezza((numero - minimo) / (massimo - minimo), altezza_area)
        centro = round(x0 + slot * (indice + 0.5), 2)
        colonne.append(
            Colonna(
                etichetta=etichetta,
                linee_etichetta=_a_capo(etichetta, caratteri),
                valore=numero,
                valore_testo=formatta_numero(numero, decimali, unita),
                x=round(centro - larghezza_colonna / 2, 2),
                y=round(y_base - h, 2),
                altezza=h,
                x_centro=centro,
                y_valore=round(y_base - h - 6, 2),
                colore=colore,
            )
        )
    rif = None
    if riferimento is not None:
        valore_rif = _nel_campo(riferimento, minimo, massimo, "Linea di riferimento")
        rif = Riferimento(posizione(valore_rif), valore_rif,
                          formatta_numero(valore_rif, decimali, unita), riferimento_etichetta)
    return GraficoColonne(
        id=chart_id,
        larghezza=larghezza,
        altezza=int(y_base + 16 + max(len(c.linee_etichetta) for c in colonne) * interlinea + 6),
        x0=x0,
        x1=x1,
        x_tacche_testo=x0 - 6,
        y_base=y_base,
        larghezza_colonna=larghezza_colonna,
        interlinea=interlinea,
        colonne=tuple(colonne),
        tacche=_tacche(minimo, massimo, passo, posizione, _decimali_tacche(minimo, massimo, passo)),
        riferimento=rif,
        scala_min=minimo,
        scala_max=massimo,
        unita=unita,
    )
