"""Writes of the trasparenza app: rendering and publishing the Relazione.

A publication is written once, in one transaction, and never changed: ``pubblicazione_crea``
(called by ``obiettivi.workflow.ciclo_pubblica``, the one road to «pubblicata») creates a new
``Pubblicazione`` (version N+1) with the frozen data, the page body and the PDF.
Nothing in the code base updates or deletes a Pubblicazione or its file.
"""

import hashlib
import logging
import shutil
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from lavori.avanzamento import passo
from obiettivi.models import Ciclo
from seregno_perf import formati

from . import opendata, pagine, presenter, queries, snapshot
from .models import ContestoCongelato, Pubblicazione
from .performance import esito_obiettivo
from .report import carica_ciclo, contesto_esterno, impronta, relazione_dati

logger = logging.getLogger(__name__)

STAMPA_CSS = Path(settings.BASE_DIR) / "static" / "css" / "stampa.css"


def render_corpo(dati, *, pubblicazione=None):
    """The frozen body of the report page (fingerprint, table of contents, every section)."""
    contesto = presenter.contesto(dati, pubblicazione=pubblicazione)
    contesto["pubblicata_il"] = _data_pubblicazione(dati)
    return render_to_string("trasparenza/relazione_corpo_pagina.html", contesto)


# Above this many objectives the PDF lists them one line each instead of a table per area
# (``relazione/_obiettivi_compatti.html``): the same facts at about 2/3 of the time and 3/5 of the
# memory (docs/performance.md, «Il PDF della Relazione a scala»). Seregno has about 100.
SOGLIA_STAMPA_COMPATTA = 500


def render_html_stampa(dati):
    contesto = presenter.contesto(dati)
    contesto["stampa_compatta"] = len(dati.get("obiettivi", [])) > SOGLIA_STAMPA_COMPATTA
    # The site's own pages have no address inside a PDF (it is read offline, archived, sent by
    # e-mail): codes of objectives, linee and areas are plain text there, not dead links.
    contesto["url_base"] = ""
    contesto["pubblicata_il"] = _data_pubblicazione(dati)
    return render_to_string("trasparenza/relazione_stampa.html", contesto)


def _data_pubblicazione(dati):
    if not dati.get("pubblicata_il"):
        return ""
    return formati.data_lunga(timezone.datetime.fromisoformat(dati["pubblicata_il"]))


def render_pdf(dati, *, archivio=True):
    """The PDF of the report (A4, cover, contents, page numbers). PDF/A-3u, tagged, by default."""
    return pdf_da_html(render_html_stampa(dati), archivio=archivio)


def pdf_da_html(html_stampa: str, *, archivio=True) -> bytes:
    """A printable page (a template using the print stylesheet ``stampa.css``) as a PDF:
    PDF/A-3u, tagged, by default. The Relazione and the Nucleo's documento di validazione."""
    return pdf_e_pagine(html_stampa, archivio=archivio)[0]


def pdf_e_pagine(html_stampa: str, *, archivio=True) -> tuple[bytes, int]:
    """``pdf_da_html`` and the number of pages of the PDF (the schede di valutazione say it)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    html = HTML(string=html_stampa, base_url=str(STAMPA_CSS.parent))
    css = CSS(filename=str(STAMPA_CSS), font_config=fonts)
    opzioni = {"pdf_variant": "pdf/a-3u", "pdf_tags": True} if archivio else {}
    documento = html.render(stylesheets=[css], font_config=fonts, **opzioni)
    return documento.write_pdf(**opzioni), len(documento.pages)


def _esito(ob):
    """The objective's outcome as its data print it (publications made before ``esito`` was in
    the data get it from the same function)."""
    return ob.get("esito") or esito_obiettivo(ob)


@dataclass(frozen=True)
class Cifra:
    """A figure of the report in two versions (None: not there)."""

    etichetta: str
    prima: object
    dopo: object


@dataclass(frozen=True)
class ObiettivoCambiato:
    codice: str
    titolo: str
    esito_prima: str
    esito_dopo: str
    raggiungimento_prima: object
    raggiungimento_dopo: object
    titolo_prima: str

    @property
    def esito_cambiato(self):
        return self.esito_prima != self.esito_dopo

    @property
    def raggiungimento_cambiato(self):
        return self.raggiungimento_prima != self.raggiungimento_dopo

    @property
    def titolo_cambiato(self):
        return self.titolo_prima != self.titolo


@dataclass(frozen=True)
class Differenze:
    """What changes from one version's data to another's (``differenze``)."""

    cifre: list  # [Cifra]: the ente's level and components, the barometro, each area and line
    aggiunti: list  # [(codice, titolo)]
    rimossi: list  # [(codice, titolo)]
    obiettivi: list  # [ObiettivoCambiato]: outcome (grade or status), achievement or title
    altro: bool  # the fingerprints differ for something else (texts, tables, details)

    @property
    def vuota(self):
        return not (self.cifre or self.aggiunti or self.rimossi or self.obiettivi or self.altro)


def _cifre(dati):
    """The report's headline figures by label, in the order they are listed."""
    componenti = dati.get("componenti") or {}
    cifre = {"Livello di performance di ente": dati.get("livello_performance_ente")}
    for chiave, nome in (("finanziaria", "PFin"), ("obiettivi", "PObj_Gen"), ("qualita", "PQua_Gen")):
        cifre[nome] = (componenti.get(chiave) or {}).get("valore")
    cifre["Media del barometro della qualità"] = (dati.get("barometro_qualita") or {}).get("media")
    for area in dati.get("risultati_aree") or ():
        cifre[f"Risultato dell'area «{area.get('area')}»"] = area.get("media")
    for linea in dati.get("linee") or ():
        cifre[f"Grado della linea strategica {linea.get('codice')}"] = linea.get("grado")
    premi = dati.get("premi") or {}
    cifre["Premi stanziati (€, art. 20 D.Lgs. 33/2013)"] = premi.get("stanziato")
    cifre["Premi distribuiti (€, art. 20 D.Lgs. 33/2013)"] = premi.get("distribuito")
    return cifre


def differenze(prima, dopo) -> Differenze:
    """The differences between two versions' data (``dati.json``, or ``relazione_dati`` before it
    is published): figures that moved, objectives added or removed, objectives whose outcome
    (grade or status), achievement or title changed."""
    cifre_prima, cifre_dopo = _cifre(prima), _cifre(dopo)
    cifre = [Cifra(etichetta, cifre_prima.get(etichetta), valore)
             for etichetta, valore in cifre_dopo.items() if cifre_prima.get(etichetta) != valore]
    cifre += [Cifra(etichetta, valore, None) for etichetta, valore in cifre_prima.items()
              if etichetta not in cifre_dopo and valore is not None]
    vecchi = {o["codice"]: o for o in prima.get("obiettivi", [])}
    nuovi = {o["codice"]: o for o in dopo.get("obiettivi", [])}
    cambiati = []
    for codice in sorted(vecchi.keys() & nuovi.keys()):
        a, b = vecchi[codice], nuovi[codice]
        cambiato = ObiettivoCambiato(
            codice=codice, titolo=b.get("titolo"), titolo_prima=a.get("titolo"),
            esito_prima=_esito(a), esito_dopo=_esito(b),
            raggiungimento_prima=a.get("percentuale_raggiungimento"),
            raggiungimento_dopo=b.get("percentuale_raggiungimento"),
        )
        if cambiato.esito_cambiato or cambiato.raggiungimento_cambiato or cambiato.titolo_cambiato:
            cambiati.append(cambiato)
    trovate = Differenze(
        cifre=cifre,
        aggiunti=[(c, nuovi[c]["titolo"]) for c in sorted(nuovi.keys() - vecchi.keys())],
        rimossi=[(c, vecchi[c]["titolo"]) for c in sorted(vecchi.keys() - nuovi.keys())],
        obiettivi=cambiati, altro=False,
    )
    if trovate.vuota and prima.get("impronta") != dopo.get("impronta"):
        return Differenze(cifre=[], aggiunti=[], rimossi=[], obiettivi=[], altro=True)
    return trovate


def confronta(prima, dopo):
    """Human-readable differences between two versions' data (Italian sentences): the
    ``modifiche`` a new version lists."""
    trovate = differenze(prima, dopo)
    modifiche = [f"{c.etichetta}: da {formati.numero(c.prima)} a {formati.numero(c.dopo)}."
                 for c in trovate.cifre]
    modifiche += [f"Obiettivo {codice} aggiunto: «{titolo}»." for codice, titolo in trovate.aggiunti]
    modifiche += [f"Obiettivo {codice} rimosso: «{titolo}»." for codice, titolo in trovate.rimossi]
    for o in trovate.obiettivi:
        if o.titolo_cambiato:
            modifiche.append(f"Obiettivo {o.codice}: titolo modificato.")
        if o.esito_cambiato:
            modifiche.append(f"Obiettivo {o.codice}: da «{o.esito_prima}» a «{o.esito_dopo}».")
        if o.raggiungimento_cambiato:
            modifiche.append(
                f"Obiettivo {o.codice}: raggiungimento da "
                f"{formati.percentuale(o.raggiungimento_prima)} a "
                f"{formati.percentuale(o.raggiungimento_dopo)}."
            )
    if trovate.altro:
        modifiche.append("Modifiche ai testi, alle tabelle o ai dettagli dei dati.")
    return modifiche


@dataclass(frozen=True)
class Anteprima:
    """What publishing ``ciclo`` now would do (``pubblicazione_anteprima``)."""

    precedente: Pubblicazione | None  # the version citizens see now
    dati: dict  # the report data that would be published
    differenze: Differenze | None  # None: first publication

    @property
    def cambia(self):
        return self.precedente is None or self.precedente.impronta != self.dati["impronta"]

    @property
    def solo_premi(self):
        """Only the bonuses' aggregates changed: a new version needs no reopening."""
        return self.precedente is not None and solo_premi_cambiati(self.precedente.dati, self.dati)


def pubblicazione_anteprima(*, ciclo: Ciclo) -> Anteprima:
    """The report data that ``pubblicazione_crea`` would freeze now, against the latest version's
    ``dati``: assembled as for publishing (``relazione_dati``), no page and no PDF rendered,
    nothing written."""
    precedente = ciclo.pubblicazioni.order_by("-versione").first()
    dati = relazione_dati(ciclo)
    return Anteprima(
        precedente=precedente, dati=dati,
        differenze=differenze(precedente.dati, dati) if precedente is not None else None,
    )


@dataclass(frozen=True)
class EsitoPubblicazione:
    pubblicazione: Pubblicazione
    nuova: bool


@transaction.atomic
def solo_premi_cambiati(prima, dopo) -> bool:
    """Only the art. 20 aggregates (``premi``) differ between two versions' data.

    The bonuses are paid after the Nucleo has validated the Relazione (art. 14 c. 6 D.Lgs.
    150/2009), so the schede become definitive after it is published: their aggregates are then
    published as a new version without reopening the cycle (the performance data — what was
    approved and validated — are unchanged, and the documento di validazione keeps naming the
    version it examined)."""
    return (prima.get("premi") != dopo.get("premi")
            and impronta(prima, escludi=("premi",)) == impronta(dopo, escludi=("premi",)))


def pubblicazione_crea(*, ciclo: Ciclo, utente=None, nota: str = "",
                       nuova_versione: bool) -> EsitoPubblicazione:
    """Freeze the cycle's current report as a new version (data, page body, PDF).

    Called by ``obiettivi.workflow.ciclo_pubblica`` only — the one road to «pubblicata», which
    checks the role, locks the cycle's row, freezes its context and moves its state. Nothing
    here changes the cycle.

    If the data are identical to the latest version (same fingerprint), nothing is written and
    the latest version is returned (``nuova=False``): publishing is idempotent. Otherwise a new
    version is created if there is none yet, or ``nuova_versione`` (the cycle was approved since
    its last publication), or only the bonuses' aggregates changed (``solo_premi_cambiati``), and
    refused with the reason if not (a published cycle changes only after a reopening).
    """
    precedente = ciclo.pubblicazioni.order_by("-versione").first()
    passo("Calcolo dei risultati")
    dati = relazione_dati(ciclo)
    if precedente is not None and precedente.impronta == dati["impronta"]:
        # Nothing new to publish: the files are rewritten from the database all the same (the
        # layout may have changed since, or a file may be missing).
        _file_dopo_il_commit(ciclo, forza=True)
        return EsitoPubblicazione(pubblicazione=precedente, nuova=False)
    if precedente is not None and not nuova_versione and not solo_premi_cambiati(precedente.dati, dati):
        raise ValidationError(
            f"La Relazione {ciclo.anno} di {ciclo.ente} è già pubblicata (versione "
            f"{precedente.versione}) e i suoi dati risultano cambiati da allora: una nuova versione "
            "si pubblica solo dopo aver riaperto il ciclo (con la motivazione) e averlo fatto "
            "approvare di nuovo."
        )

    versione = precedente.versione + 1 if precedente else 1
    dati["versione"] = versione
    dati["pubblicata_il"] = timezone.now().replace(microsecond=0).isoformat()
    dati["validazione"] = queries.validazione_per_dati(ciclo)
    passo("PDF")
    pdf = render_pdf(dati)
    passo("Salvataggio della versione")
    pubblicazione = Pubblicazione(
        ciclo=ciclo,
        versione=versione,
        pubblicata_da=utente,
        impronta=dati["impronta"],
        dati=dati,
        html=render_corpo(dati),
        modifiche=confronta(precedente.dati, dati) if precedente else [],
        nota=nota,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    pubblicazione.pdf.save(
        f"{ciclo.ente.slug}-{ciclo.anno}-v{versione}-{dati['impronta'][:12]}.pdf",
        ContentFile(pdf),
        save=False,
    )
    try:
        pubblicazione.save()
        _segna_in_arrivo(snapshot.cartella_ciclo(ciclo.ente.slug, ciclo.anno), versione)
    except BaseException:
        pubblicazione.pdf.delete(save=False)  # no orphan PDF (a kill: rigenera removes it)
        raise
    _file_dopo_il_commit(ciclo, forza=False)
    return EsitoPubblicazione(pubblicazione=pubblicazione, nuova=True)


def _segna_in_arrivo(cartella: Path, versione: int) -> None:
    """Before the commit of version ``versione``: from now on the middleware serves the
    cycle's files only once those of that version are complete, the views (from the database)
    until then. If the number cannot be written (a full disk), the old one is removed: no file
    of the cycle is served until they are rewritten."""
    try:
        snapshot.segna_versione(cartella / snapshot.ULTIMA, versione)
    except OSError:
        logger.warning("File pubblicati di %s: numero di versione non scritto", cartella,
                       exc_info=True)
        (cartella / snapshot.ULTIMA).unlink(missing_ok=True)


@contextmanager
def pubblicazione_in_fila(*, ciclo: Ciclo):
    """One publication of an ente at a time, on every database: ``obiettivi.workflow.
    ciclo_pubblica`` runs inside it, before its transaction begins, so a second publication
    waits for the first to commit and then finds its version (the same fingerprint: nothing
    new) instead of failing on SQLite's «database is locked». Also held: the cycle's lock of
    the file writers (``snapshot.blocco``; the files written once committed, in the same
    thread, take it again), and the shared side of the orphan-PDF lock.

    A publication that fails after writing its version number (``snapshot.ULTIMA``) while
    this is the outermost transaction sets the number back to the database's newest version.
    """
    cartella = snapshot.cartella_ciclo(ciclo.ente.slug, ciclo.anno)
    with snapshot.blocco_pdf(esclusivo=False), snapshot.blocco(cartella.parent), \
            snapshot.blocco(cartella):
        try:
            yield
        except BaseException:
            if transaction.get_autocommit():  # rolled back, not inside a caller's transaction
                _segna_ultima(cartella, ciclo)
            raise


def _segna_ultima(cartella: Path, ciclo: Ciclo) -> int | None:
    """``snapshot.ULTIMA`` of the cycle set to its newest version in the database (removed if
    it has none); returns that version."""
    ultima = Pubblicazione.objects.filter(ciclo=ciclo).order_by("-versione").values_list(
        "versione", flat=True).first()
    if ultima is None:
        (cartella / snapshot.ULTIMA).unlink(missing_ok=True)
    elif snapshot.leggi_versione(cartella / snapshot.ULTIMA) != ultima:
        snapshot.segna_versione(cartella / snapshot.ULTIMA, ultima)
    return ultima


def contesto_congela(*, ciclo: Ciclo, sostituisci: bool = False) -> ContestoCongelato:
    """Copy what the cycle's report reads from outside the cycle (``report.contesto_esterno``)
    into ``ContestoCongelato``: called by ``obiettivi.workflow`` when the cycle is locked. An
    existing copy is kept unless ``sostituisci`` (a new approval)."""
    if not sostituisci:
        esistente = ContestoCongelato.objects.filter(ciclo=ciclo).first()
        if esistente is not None:
            return esistente
    dati = contesto_esterno(carica_ciclo(ciclo.pk))
    contesto, _ = ContestoCongelato.objects.update_or_create(ciclo=ciclo, defaults={"dati": dati})
    return contesto


def contesto_scongela(*, ciclo: Ciclo) -> None:
    """The cycle is reopened: its report reads the ente and the acts as they are again."""
    ContestoCongelato.objects.filter(ciclo=ciclo).delete()


def _file_dopo_il_commit(ciclo, *, forza):
    """The files citizens are served, written once the publication is committed (a rolled-back
    publication leaves none behind). A failure to write them (a full disk), or a process killed
    while writing them, does not undo the publication: the views serve it from the database
    until the files are complete (the next publication, ``rigenera_file_pubblicati``, or its
    ``--incompleti`` check at start-up finish them)."""
    def scrivi():
        passo("File pubblicati")
        file_pubblicati_scrivi(ciclo=ciclo, forza=forza)

    transaction.on_commit(scrivi, robust=True)


# --- The published files (trasparenza.snapshot) ------------------------------------------------

def file_pubblicati_scrivi(*, ciclo: Ciclo, forza: bool = False, con_vicini: bool = True) -> list[Path]:
    """Write the files of every published version of ``ciclo`` and point ``corrente`` at the
    newest; returns the files written.

    A version's data files and PDF never change: they are written when missing, when they
    belong to another publication with the same number (a database restored or rebuilt since),
    or with ``forza``. Report pages list every version, so all are rewritten (a few renders of
    a stored body). The pages of objectives, linee and areas exist for the newest version only.
    Versions on disk that the database does not have are removed. The objective pages link to
    the same objective in the ente's published years right before and after: with
    ``con_vicini`` those years' pages are brought up to date too.

    Writers of one cycle take turns (a lock file in its folder) and read the database once
    they hold it: two publications committed close together end with ``corrente`` on the newer.
    """
    ciclo = Ciclo.objects.select_related("ente").get(pk=ciclo.pk)
    cartella = snapshot.cartella_ciclo(ciclo.ente.slug, ciclo.anno)
    with snapshot.blocco(cartella):
        # every version, newest first (the pages list them all), without the heavy data
        versioni = list(
            Pubblicazione.objects.filter(ciclo=ciclo).select_related("ciclo__ente")
            .defer("dati").order_by("-versione")
        )
        if not versioni:
            _rimuovi(cartella)
            with suppress(OSError):  # the ente's folder, if no other cycle of it is published
                cartella.parent.rmdir()
            return []
        scritti = []
        vicini = queries.anni_vicini(ente_id=ciclo.ente_id, anno=ciclo.anno)
        # the newest version the database has: the middleware serves a folder only if it is
        # complete for it (a publication wrote it before committing; a rolled-back one may
        # have left a higher one, a layout written before this none)
        _segna_ultima(cartella, ciclo)
        for pub in versioni:  # the newest first: citizens get it as soon as it is ready
            scritti += _scrivi_versione(cartella, pub, versioni, forza=forza, vicini=vicini)
            if pub is versioni[0]:
                snapshot.punta_corrente(cartella, pub.versione)
        for estranea in snapshot.versioni_su_disco(cartella) - {v.versione for v in versioni}:
            shutil.rmtree(cartella / f"v{estranea}")
        snapshot.avanzi_rimuovi(cartella)
    if con_vicini:
        # the objective pages of the years before and after link to this one: they are
        # rewritten when what they link to changed (their signature says so), otherwise kept
        for vicino in vicini.values():
            if vicino is not None:
                altro = Ciclo.objects.get(ente_id=ciclo.ente_id, anno=vicino["anno"])
                scritti += file_pubblicati_scrivi(ciclo=altro, con_vicini=False)
    return scritti


# The layout of the detail pages, a line of their signature: files written before it (without
# their hashes beside them, ``snapshot.ETICHETTE``) are rewritten by the start-up check.
FORMATO_DETTAGLI = b"formato 2 (etag)\n"


def _firma_vicini(vicini) -> bytes:
    """What the objective pages link to in other years, as a line of their signature."""
    parti = [
        f"{chiave}={v['anno']}:{hashlib.sha256(' '.join(sorted(v['codici'])).encode()).hexdigest()}"
        for chiave, v in sorted(vicini.items()) if v is not None
    ]
    return ("vicini " + " ".join(parti) + "\n").encode()


def _scrivi_versione(cartella: Path, pub: Pubblicazione, versioni, *, forza: bool,
                     vicini) -> list[Path]:
    v = cartella / f"v{pub.versione}"
    momento = int(pub.pubblicata_il.timestamp())
    corrente = pub.versione == versioni[0].versione
    # while its files are written the folder is not complete: the views answer for it
    (v / snapshot.COMPLETA).unlink(missing_ok=True)
    # Pages list every version: they change with the newest publication of the cycle.
    pagina = v / snapshot.PAGINA
    scritti = snapshot.scrivi_con_gemelli(
        pagina, pagine.relazione(pub, versioni, queries.validazione_di(pub)).encode(),
        int(versioni[0].pubblicata_il.timestamp())
    )
    firma = f"{pub.impronta} {pub.pubblicata_il.isoformat()}\n".encode()
    valida = not forza and _firma_su_disco(v / snapshot.FIRMA) == firma
    mancanti = [n for n in snapshot.FILE_DATI if not valida or not _su_disco(v / n)]
    firma_dettagli = firma + _firma_vicini(vicini) + FORMATO_DETTAGLI
    dettagli = corrente and (
        not valida or _firma_su_disco(v / snapshot.FIRMA_DETTAGLI) != firma_dettagli
    )
    if not corrente:
        for nome in (*snapshot.DETTAGLI, snapshot.FIRMA_DETTAGLI):
            _rimuovi(v / nome)
    if dettagli or any(nome in mancanti for nome in opendata.FILE_APERTI):
        dati = queries.dati_pubblicati(pub)
        for nome, produci in opendata.FILE_APERTI.items():
            if nome in mancanti:
                scritti += snapshot.scrivi_con_gemelli(v / nome, produci(dati), momento)
        if dettagli:
            scritti += _scrivi_dettagli(v, pagine.Dettagli(dati, pub, vicini=vicini), momento)
            snapshot.scrivi_atomico(v / snapshot.FIRMA_DETTAGLI, firma_dettagli, momento)
        del dati
    if "relazione.pdf" in mancanti:
        if pub.pdf:
            snapshot.collega_atomico(Path(pub.pdf.path), v / "relazione.pdf", momento,
                                     pub.pdf_sha256)
            scritti.append(v / "relazione.pdf")
        else:
            (v / "relazione.pdf").unlink(missing_ok=True)
    snapshot.scrivi_atomico(v / snapshot.FIRMA, firma, momento)
    snapshot.segna_versione(v / snapshot.COMPLETA, versioni[0].versione)  # last: complete
    return scritti


def _scrivi_dettagli(v: Path, dettagli: pagine.Dettagli, momento: int) -> list[Path]:
    """The pages of objectives, linee and areas, each replacing its old file in one rename (no
    moment without them); then the pages of codes no longer in the data go."""
    scritti = []
    for relativo, corpo in dettagli.tutte():
        if all(snapshot.CODICE_SICURO.match(p) for p in relativo.split("/")):
            scritti += snapshot.scrivi_con_gemelli(v / relativo, corpo.encode(), momento)
    tenuti = set(scritti)
    for nome in snapshot.DETTAGLI:
        for vecchia in (v / nome).glob(f"*/{snapshot.PAGINA}"):
            if vecchia not in tenuti:
                _rimuovi(vecchia.parent)
    return scritti


def _su_disco(percorso: Path) -> bool:
    """The file, its compressed twins when it has them, and their hashes are on disk."""
    etichette = percorso.with_name(percorso.name + snapshot.ETICHETTE)
    if not percorso.is_file() or not etichette.is_file():
        return False
    return not snapshot.comprimibile(percorso.name) or all(
        percorso.with_name(percorso.name + suffisso).is_file() for _, suffisso in snapshot.CODIFICHE
    )


def _firma_su_disco(percorso: Path) -> bytes | None:
    return percorso.read_bytes() if percorso.is_file() else None


def _rimuovi(percorso: Path) -> None:
    if percorso.is_dir():
        shutil.rmtree(percorso)
    else:
        percorso.unlink(missing_ok=True)


@dataclass(frozen=True)
class Rigenerazione:
    """What ``file_pubblicati_rigenera`` did."""

    scritti: int  # cycles whose files were written
    rimossi: int  # folders of cycles the database does not publish, removed
    pdf_orfani: int  # PDFs no publication names, removed


def file_pubblicati_rigenera(*, solo_incompleti: bool = False) -> Rigenerazione:
    """Rewrite every file of every published cycle (after a restore, or an upgrade that changes
    the layout), remove those of cycles the database does not publish, and remove the PDFs in
    ``pubblicazioni/`` that no publication names (left by a publication killed before its
    commit). Idempotent.

    With ``solo_incompleti`` (the start-up check), only cycles whose files are not complete
    for their newest version are written, and only what is missing: a publication whose writer
    was killed, or a version number left by one rolled back."""
    versioni = {}
    for ciclo_id, versione in Pubblicazione.objects.values_list("ciclo_id", "versione"):
        versioni.setdefault(ciclo_id, set()).add(versione)
    pubblicati = {
        (c.ente.slug, c.anno): c
        for c in Ciclo.objects.filter(pk__in=versioni).select_related("ente")
    }
    scritti = 0
    for (slug, anno), ciclo in pubblicati.items():
        cartella = snapshot.cartella_ciclo(slug, anno)
        if solo_incompleti and _completi(cartella, versioni[ciclo.pk]):
            with snapshot.blocco(cartella):  # a writer killed before its commit left these
                snapshot.avanzi_rimuovi(cartella)
            continue
        file_pubblicati_scrivi(ciclo=ciclo, forza=not solo_incompleti, con_vicini=False)
        scritti += 1
    rimossi = 0
    radice = snapshot.radice()
    if radice.is_dir():
        for ente in radice.iterdir():
            for anno in ente.iterdir() if ente.is_dir() else ():
                if anno.is_dir() and (ente.name, _intero(anno.name)) not in pubblicati:
                    shutil.rmtree(anno)
                    rimossi += 1
    return Rigenerazione(scritti=scritti, rimossi=rimossi, pdf_orfani=_pdf_orfani_rimuovi())


def _completi(cartella: Path, versioni: set[int]) -> bool:
    """The cycle's files are there for every version, written for the newest one."""
    ultima = max(versioni)
    return (
        snapshot.leggi_versione(cartella / snapshot.ULTIMA) == ultima
        and all(snapshot.leggi_versione(cartella / f"v{n}" / snapshot.COMPLETA) == ultima
                for n in versioni)
        and snapshot.versioni_su_disco(cartella) == versioni
    )


def _pdf_orfani_rimuovi() -> int:
    """Remove the PDFs of ``Pubblicazione.pdf``'s folder that no publication names: while no
    publication is under way (they hold the shared side of the lock), so a PDF saved by one
    that has not committed yet is not taken for an orphan."""
    cartella = Pubblicazione._meta.get_field("pdf").upload_to
    storage = Pubblicazione._meta.get_field("pdf").storage
    with snapshot.blocco_pdf(esclusivo=True):
        try:
            _, nomi = storage.listdir(cartella)
        except FileNotFoundError:
            return 0
        nominati = set(Pubblicazione.objects.exclude(pdf="").values_list("pdf", flat=True))
        orfani = [f"{cartella}{nome}" for nome in nomi
                  if nome.endswith(".pdf") and f"{cartella}{nome}" not in nominati]
        for nome in orfani:
            storage.delete(nome)
    return len(orfani)


def _intero(testo):
    return int(testo) if testo.isdigit() else None
