"""The review workflow: the cycle's state machine and the objective's submit / validate / send back.

Cycle states, in order, and who moves a cycle forward (an Amministratore; the last step also the
``pubblica`` command, run on the server):

    pianificazione → monitoraggio → rendicontazione → validazione → approvata → pubblicata
    → validata

* rendicontazione → validazione: every active objective has been sent to the Nucleo (or already
  validated).
* validazione → approvata: every active objective validated by the Nucleo, and the Giunta's atto
  of approval given: a Giunta deliberation of the same ente, dated within or after the cycle's
  year (``regole.errori_atto_approvazione``; the admin's form lists only such acts).
* approvata → pubblicata: ``ciclo_pubblica`` — the one road: it publishes the Relazione (a new
  ``Pubblicazione``, or none if nothing changed since the last one) and moves the state in the same
  transaction, or refuses and changes nothing. ``ciclo_avanza`` from «approvata» calls it, the
  admin's «Pubblica» action and the ``pubblica`` command too. A «pubblicata» cycle publishes no new
  version: after a correction it is reopened and approved again.
* pubblicata → validata: only the Nucleo, by signing its documento di validazione
  (``validazione.services.documento_firma`` calls ``ciclo_esito_validazione``) with the outcome
  «validata» or «validata con osservazioni». The Relazione is published first (as the Giunta
  approved it) and validated after: the validation names the published version by its
  fingerprint. «Validata» is the final state. A «non validata» outcome reopens the cycle in
  «validazione» (a ``RiaperturaCiclo`` with the Nucleo's reasons): the Amministratore corrects,
  the Giunta approves again, a new version is published and validated.

**Locked** means the cycle's state is ``approvata``, ``pubblicata`` or ``validata`` (validation is over): nobody
changes its figures — objectives, indicators, phases, barometro, financial indicators, report
texts, the SMVP it uses — not even an Amministratore. Going back is ``ciclo_riapri``: an
Amministratore's explicit action with a reason, kept in ``RiaperturaCiclo`` and in the cycle's
history. What its report reads from outside the cycle (the ente, the acts, the dirigenti's names)
is frozen with it (``trasparenza.models.ContestoCongelato``) at approval and dropped at reopening.

An objective's reporting (``Obiettivo.stato_rendicontazione``):

    bozza / rinviato --(dirigente: obiettivo_invia)--> inviato
    inviato --(Nucleo: obiettivo_valida)--> validato
    inviato --(Nucleo: obiettivo_rinvia, with a comment)--> rinviato

The dirigente edits the outcome only while the cycle is in rendicontazione and the objective is
bozza or rinviato. The Nucleo validates in rendicontazione or validazione; it sends back only in
rendicontazione (in validazione the dirigente could no longer answer: the Nucleo decides the
validated grade itself, with its reason). Every service is atomic, keyword-only, saves through
``save()`` (so django-simple-history records who changed what) and raises ``ValidationError``
with an Italian message; nothing is written when it refuses.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from . import permessi, regole
from .models import Atto, Ciclo, Obiettivo, RiaperturaCiclo

Stato = Ciclo.Stato
Rendicontazione = Obiettivo.StatoRendicontazione

ORDINE_STATI = [
    Stato.PIANIFICAZIONE, Stato.MONITORAGGIO, Stato.RENDICONTAZIONE, Stato.VALIDAZIONE,
    Stato.APPROVATA, Stato.PUBBLICATA, Stato.VALIDATA,
]
STATI_BLOCCATI = frozenset({Stato.APPROVATA, Stato.PUBBLICATA, Stato.VALIDATA})
STATI_PUBBLICABILI = frozenset({Stato.APPROVATA, Stato.PUBBLICATA, Stato.VALIDATA})
# The Nucleo signs its documento di validazione of a published Relazione in these states.
STATI_VALIDABILI = frozenset({Stato.PUBBLICATA, Stato.VALIDATA})
# States the Nucleo works in.
STATI_REVISIONE = frozenset({Stato.RENDICONTAZIONE, Stato.VALIDAZIONE})
# A cycle can be reopened back to one of these, from any later state.
STATI_DI_RIAPERTURA = (Stato.RENDICONTAZIONE, Stato.VALIDAZIONE)
DA_INVIARE = frozenset({Rendicontazione.BOZZA, Rendicontazione.RINVIATO})
INVIATI = frozenset({Rendicontazione.INVIATO, Rendicontazione.VALIDATO})
# The history's reason of each objective transition (``avvisi`` reads them to find the events).
MOTIVO_INVIO = "Inviato al Nucleo"
MOTIVO_VALIDAZIONE = "Validato dal Nucleo"
MOTIVO_RINVIO = "Rinviato al dirigente"


@dataclass(frozen=True)
class Bloccante:
    """Which active objectives keep a cycle from moving to ``verso``: ``filtro`` selects them
    (a ``Q`` on Obiettivo), ``descrizione`` is what they are not yet («inviati al Nucleo»),
    ``stati`` the reporting states they can be in (for a filtered list)."""

    verso: str
    filtro: Q
    descrizione: str
    stati: tuple


# The one definition of what blocks each transition on the objectives' side: the workflow
# refuses with it (``errori_avanzamento``) and the Amministratore's desk counts it.
BLOCCANTI = {
    Stato.VALIDAZIONE: Bloccante(
        verso=Stato.VALIDAZIONE, filtro=~Q(stato_rendicontazione__in=INVIATI),
        descrizione="inviati al Nucleo", stati=tuple(sorted(DA_INVIARE)),
    ),
    Stato.APPROVATA: Bloccante(
        verso=Stato.APPROVATA,
        filtro=~Q(stato_rendicontazione=Rendicontazione.VALIDATO, grado_validato__isnull=False),
        descrizione="validati dal Nucleo",
        stati=tuple(sorted({*DA_INVIARE, Rendicontazione.INVIATO})),
    ),
}


def ciclo_bloccato(ciclo) -> bool:
    """True once validation is over (approvata, pubblicata): the figures are read-only."""
    return ciclo.stato in STATI_BLOCCATI


def ciclo_riaperto(ciclo) -> bool:
    """True when ``ciclo`` is in the state its last reopening brought it to (nothing moved it
    forward since: from there only a reopening or an advance leaves that state). One query."""
    ultima = ciclo.riaperture.order_by("-quando", "-pk").values_list("a_stato", flat=True).first()
    return ultima is not None and ultima == ciclo.stato


def puo_pubblicare(ciclo) -> bool:
    """The Relazione may be published only for an approved (or already published) cycle."""
    return ciclo.stato in STATI_PUBBLICABILI


def stato_successivo(ciclo):
    """The next state of ``ciclo`` (None after «pubblicata»)."""
    indice = ORDINE_STATI.index(ciclo.stato)
    return ORDINE_STATI[indice + 1] if indice + 1 < len(ORDINE_STATI) else None


def _etichetta(stato):
    return Stato(stato).label


def _obiettivi_attivi(ciclo):
    return Obiettivo.objects.filter(ciclo=ciclo, stato=Obiettivo.Stato.ATTIVO)


def _elenco_codici(queryset, quanti=10):
    codici = list(queryset.order_by("ordine", "codice").values_list("codice", flat=True)[:quanti + 1])
    testo = ", ".join(codici[:quanti])
    return testo + (", …" if len(codici) > quanti else "")


def errori_avanzamento(ciclo, *, atto=None) -> list[str]:
    """Why ``ciclo`` cannot move to its next state now (empty list: it can)."""
    nuovo = stato_successivo(ciclo)
    if nuovo is None:
        return [f"Il ciclo {ciclo} è già «{_etichetta(ciclo.stato)}»: non c'è uno stato successivo."]
    errori = []
    bloccante = BLOCCANTI.get(nuovo)
    if bloccante is not None:
        mancanti = _obiettivi_attivi(ciclo).filter(bloccante.filtro)
        if mancanti.exists():
            errori.append(
                f"{mancanti.count()} obiettivi attivi non sono ancora stati "
                f"{bloccante.descrizione} "
                f"({_elenco_codici(mancanti)})."
            )
    if nuovo == Stato.APPROVATA:
        errori += regole.errori_atto_approvazione(atto, ente_id=ciclo.ente_id, anno=ciclo.anno)
    elif nuovo == Stato.PUBBLICATA:
        errori += errori_pubblicazione(ciclo)
    elif nuovo == Stato.VALIDATA:
        errori.append(
            f"Il ciclo {ciclo} diventa «{_etichetta(Stato.VALIDATA)}» solo quando il Nucleo di "
            "valutazione firma il documento di validazione della Relazione."
        )
    return errori


def errori_pubblicazione(ciclo) -> list[str]:
    """Why the Relazione of ``ciclo`` cannot be published now (empty list: it can)."""
    if not puo_pubblicare(ciclo):
        return [
            f"La Relazione {ciclo.anno} di {ciclo.ente} non si può pubblicare: il ciclo è in "
            f"«{_etichetta(ciclo.stato)}», deve essere approvato dalla Giunta."
        ]
    if ciclo.smvp_id is None:
        return [
            f"La Relazione {ciclo.anno} di {ciclo.ente} non si può pubblicare: il ciclo non ha un "
            "sistema di valutazione (SMVP) con cui calcolare i risultati."
        ]
    return []


def _richiedi_amministratore(utente, cosa, ciclo):
    if not permessi.is_amministratore(utente, ciclo.ente_id):
        raise ValidationError(f"Solo un Amministratore può {cosa} di {ciclo.ente}.")


def _ciclo_bloccato_per_scrittura(ciclo_id):
    """The cycle's row, locked until the end of the transaction (concurrent transitions wait)."""
    return Ciclo.objects.select_for_update().get(pk=ciclo_id)


@transaction.atomic
def ciclo_avanza(*, ciclo: Ciclo, utente, atto: Atto | None = None) -> Ciclo:
    """Move ``ciclo`` to its next state (only an Amministratore; see the module's rules)."""
    _richiedi_amministratore(utente, "cambiare lo stato di un ciclo", ciclo)
    ciclo = _ciclo_bloccato_per_scrittura(ciclo.pk)
    errori = errori_avanzamento(ciclo, atto=atto)
    if errori:
        raise ValidationError(errori)
    nuovo = stato_successivo(ciclo)
    if nuovo == Stato.PUBBLICATA:  # publishing is the transition: the same road as «Pubblica»
        return ciclo_pubblica(ciclo=ciclo, utente=utente).ciclo
    ciclo.stato = nuovo
    campi = ["stato"]
    if nuovo == Stato.APPROVATA:
        ciclo.atto_approvazione = atto
        campi.append("atto_approvazione")
    ciclo._change_reason = f"Passaggio a «{_etichetta(nuovo)}»"
    ciclo._history_user = utente
    ciclo.save(update_fields=campi)
    if nuovo == Stato.APPROVATA:
        if not ciclo.atti.filter(pk=atto.pk).exists():
            ciclo.atti.add(atto)
        # locked from now: what its report reads from outside the cycle is frozen with it
        _trasparenza().contesto_congela(ciclo=ciclo, sostituisci=True)
    return ciclo


def _trasparenza():
    from trasparenza import services  # the publication's writes (trasparenza depends on obiettivi)

    return services


@dataclass(frozen=True)
class EsitoPubblicazioneCiclo:
    ciclo: Ciclo
    pubblicazione: object  # trasparenza.models.Pubblicazione: citizens see it now
    nuova: bool  # False: nothing had changed since that version


@transaction.atomic
def ciclo_pubblica(*, ciclo: Ciclo, utente, nota: str = "") -> EsitoPubblicazioneCiclo:
    """Publish the Relazione of ``ciclo`` and move it to «pubblicata»: the one road there.

    ``utente`` must be an Amministratore; ``None`` is the ``pubblica`` command, run on the server
    by whoever administers it (the history records no user). Only an approved or published cycle
    is published. From «approvata» a new version is created if the data changed since the last
    one (none otherwise) and the state moves, recorded in the cycle's history with the version.
    From «pubblicata» nothing changes if the data are the same (the files are rewritten); a
    change is refused: a new version needs a reopening and a new approval. Either citizens see
    the version the state speaks of, or nothing is written.
    """
    if utente is not None:
        _richiedi_amministratore(utente, "pubblicare la Relazione sulla Performance", ciclo)
    ciclo = Ciclo.objects.select_for_update().select_related("ente").get(pk=ciclo.pk)
    errori = errori_pubblicazione(ciclo)
    if errori:
        raise ValidationError(errori)
    trasparenza = _trasparenza()
    trasparenza.contesto_congela(ciclo=ciclo)  # a cycle approved before this existed
    esito = trasparenza.pubblicazione_crea(
        ciclo=ciclo, utente=utente, nota=nota, nuova_versione=ciclo.stato == Stato.APPROVATA
    )
    if ciclo.stato == Stato.APPROVATA:  # «pubblicata» stays, «validata» too (files rewritten)
        ciclo.stato = Stato.PUBBLICATA
        ciclo._change_reason = (
            f"Passaggio a «{_etichetta(Stato.PUBBLICATA)}»: versione "
            f"{esito.pubblicazione.versione}"
        )
        ciclo._history_user = utente
        ciclo.save(update_fields=["stato"])
    return EsitoPubblicazioneCiclo(ciclo=ciclo, pubblicazione=esito.pubblicazione, nuova=esito.nuova)


@transaction.atomic
def ciclo_riapri(*, ciclo: Ciclo, utente, motivazione: str,
                 stato: str = Stato.VALIDAZIONE) -> RiaperturaCiclo:
    """Move ``ciclo`` back to ``stato`` (rendicontazione or validazione), recording who and why."""
    _richiedi_amministratore(utente, "riaprire un ciclo", ciclo)
    motivazione = (motivazione or "").strip()
    if not motivazione:
        raise ValidationError("Per riaprire un ciclo indicare la motivazione.")
    if regole.testo(motivazione, multiriga=True):
        raise ValidationError(regole.testo(motivazione, multiriga=True))
    if stato not in STATI_DI_RIAPERTURA:
        raise ValidationError(
            "Un ciclo si riapre solo in «Rendicontazione» o in «Validazione»."
        )
    ciclo = _ciclo_bloccato_per_scrittura(ciclo.pk)
    if ORDINE_STATI.index(ciclo.stato) <= ORDINE_STATI.index(stato):
        raise ValidationError(
            f"Il ciclo {ciclo} è «{_etichetta(ciclo.stato)}»: si può riaprire solo in uno stato "
            "precedente."
        )
    da_stato = ciclo.stato
    ciclo.stato = stato
    ciclo._change_reason = f"Riapertura: {motivazione}"[:100]
    ciclo._history_user = utente
    ciclo.save(update_fields=["stato"])
    _trasparenza().contesto_scongela(ciclo=ciclo)
    return RiaperturaCiclo.objects.create(
        ciclo=ciclo, utente=utente, da_stato=da_stato, a_stato=stato, motivazione=motivazione
    )


PREFISSO_NON_VALIDATA = "Relazione non validata dal Nucleo di valutazione: "


def ultima_non_validazione(ciclo) -> RiaperturaCiclo | None:
    """The Nucleo's «non validata» that sent ``ciclo`` back, while it is being corrected (until
    it is published again): its reasons stay on the cycle's page."""
    if ORDINE_STATI.index(ciclo.stato) >= ORDINE_STATI.index(Stato.PUBBLICATA):
        return None
    ultima = ciclo.riaperture.order_by("-quando", "-pk").first()
    if ultima is None or not ultima.motivazione.startswith(PREFISSO_NON_VALIDATA):
        return None
    return ultima


@transaction.atomic
def ciclo_esito_validazione(*, ciclo: Ciclo, utente, esito_positivo: bool,
                            motivazione: str) -> Ciclo:
    """The Nucleo has signed its documento di validazione of ``ciclo``'s published Relazione
    (called by ``validazione.services.documento_firma`` only, in its transaction). A positive
    outcome moves the cycle to «validata»; a «non validata» one reopens it in «validazione»,
    recorded as a ``RiaperturaCiclo`` with the Nucleo's reasons (shown on the cycle's page)."""
    if not permessi.is_nucleo(utente, ciclo.ente_id):
        raise ValidationError(f"Solo il Nucleo di valutazione di {ciclo.ente} può validare la Relazione.")
    ciclo = _ciclo_bloccato_per_scrittura(ciclo.pk)
    if ciclo.stato not in STATI_VALIDABILI:
        raise ValidationError(
            f"La Relazione {ciclo.anno} di {ciclo.ente} si valida solo dopo la sua pubblicazione "
            f"(il ciclo è «{_etichetta(ciclo.stato)}»)."
        )
    da_stato = ciclo.stato
    nuovo = Stato.VALIDATA if esito_positivo else Stato.VALIDAZIONE
    ciclo.stato = nuovo
    ciclo._change_reason = (f"Passaggio a «{_etichetta(nuovo)}»" if esito_positivo
                            else f"Non validata dal Nucleo: {motivazione}")[:100]
    ciclo._history_user = utente
    ciclo.save(update_fields=["stato"])
    if not esito_positivo:
        _trasparenza().contesto_scongela(ciclo=ciclo)
        RiaperturaCiclo.objects.create(
            ciclo=ciclo, utente=utente, da_stato=da_stato, a_stato=nuovo,
            motivazione=f"{PREFISSO_NON_VALIDATA}{motivazione}",
        )
    return ciclo


# --- objectives ---------------------------------------------------------------------------


def _obiettivo_per_scrittura(obiettivo):
    return Obiettivo.objects.select_for_update().select_related("ciclo", "area").get(pk=obiettivo.pk)


def _salva(obiettivo, utente, motivo, campi):
    obiettivo.versione += 1
    obiettivo._history_user = utente
    obiettivo._change_reason = motivo
    obiettivo.save(update_fields=[*campi, "versione"])
    return obiettivo


def _valori(obiettivo) -> dict:
    """The objective's values the rules of ``obiettivi.regole`` read."""
    return {campo: getattr(obiettivo, campo) for campo in (
        *Obiettivo.CAMPI_REGOLE, "relazione", "commento_nucleo",
    )}


def _con_codice(obiettivo, errori: regole.Errori) -> list[str]:
    """The messages of ``obiettivi.regole``, each saying which objective (bulk actions report
    many)."""
    return [f"Obiettivo {obiettivo.codice}: {m}" for messaggi in errori.values() for m in messaggi]


def errori_invio(obiettivo) -> list[str]:
    """What is missing before the dirigente can send ``obiettivo`` to the Nucleo."""
    errori = []
    if obiettivo.ciclo.stato != Stato.RENDICONTAZIONE:
        errori.append(
            f"L'obiettivo {obiettivo.codice} si può inviare solo mentre il ciclo è in "
            f"«Rendicontazione» (ora è «{_etichetta(obiettivo.ciclo.stato)}»)."
        )
    if obiettivo.stato_rendicontazione not in DA_INVIARE:
        errori.append(
            f"L'obiettivo {obiettivo.codice} è già «{obiettivo.get_stato_rendicontazione_display()}»."
        )
    errori += _con_codice(obiettivo, regole.errori_invio(_valori(obiettivo)))
    if obiettivo.grado_proposto is not None and not obiettivo.spiegazione_grado.strip():
        errori += _con_codice(obiettivo, regole.errori_scostamento(
            obiettivo.grado_proposto, _grado_calcolato(obiettivo), obiettivo.spiegazione_grado))
    return errori


def _grado_calcolato(obiettivo):
    """The grade the SMVP's bands give to the saved indicators and phases (None: no SMVP or
    nothing measured)."""
    from . import risultato  # reads valutazione.queries (which imports obiettivi.models)

    calcolato = risultato.calcola_salvato(obiettivo)
    return calcolato.grado if calcolato is not None else None


@transaction.atomic
def obiettivo_invia(*, obiettivo: Obiettivo, utente) -> Obiettivo:
    """The area's dirigente sends the reported objective to the Nucleo di valutazione."""
    obiettivo = _obiettivo_per_scrittura(obiettivo)
    if not permessi.dirige(utente, obiettivo.area):
        raise ValidationError(
            f"Solo il dirigente dell'area «{obiettivo.area}» può inviare l'obiettivo "
            f"{obiettivo.codice}."
        )
    errori = errori_invio(obiettivo)
    if errori:
        raise ValidationError(errori)
    obiettivo.stato_rendicontazione = Rendicontazione.INVIATO
    return _salva(obiettivo, utente, MOTIVO_INVIO, ["stato_rendicontazione"])


def errori_revisione(obiettivo, *, rinvio=False) -> list[str]:
    """Why the Nucleo cannot validate (or send back) ``obiettivo`` now."""
    stati = {Stato.RENDICONTAZIONE} if rinvio else STATI_REVISIONE
    if obiettivo.ciclo.stato not in stati:
        nomi = " o ".join(f"«{_etichetta(s)}»" for s in ORDINE_STATI if s in stati)
        azione = "rinviare al dirigente" if rinvio else "validare"
        return [
            f"L'obiettivo {obiettivo.codice} si può {azione} solo mentre il ciclo è in {nomi} "
            f"(ora è «{_etichetta(obiettivo.ciclo.stato)}»)."
        ]
    ammessi = {Rendicontazione.INVIATO} if rinvio else INVIATI
    if obiettivo.stato_rendicontazione not in ammessi:
        return [
            f"L'obiettivo {obiettivo.codice} è «{obiettivo.get_stato_rendicontazione_display()}»: "
            "il Nucleo può esaminarlo solo dopo l'invio del dirigente."
        ]
    return []


def gradi_smvp(ciclo_id) -> list[int] | None:
    """The grade levels of the SMVP the cycle uses (None: no SMVP, or one without levels)."""
    from valutazione.models import LivelloScala

    gradi = sorted(LivelloScala.objects.filter(
        smvp__cicli=ciclo_id, scala=LivelloScala.Scala.GRADO).values_list("valore", flat=True))
    return gradi or None


def errori_grado_validato(obiettivo) -> list[str]:
    """The validated grade's rules (``obiettivi.regole``, the same the admin form applies)."""
    valori = _valori(obiettivo)
    errori = regole.errori_validazione(valori)
    gradi = gradi_smvp(obiettivo.ciclo_id) if obiettivo.grado_validato is not None else None
    for campo, messaggi in regole.errori_obiettivo(valori, gradi=gradi).items():
        if campo in ("grado_validato", "motivazione_grado"):
            errori.setdefault(campo, []).extend(messaggi)
    return _con_codice(obiettivo, errori)


def _richiedi_nucleo(utente, obiettivo):
    if not permessi.is_nucleo(utente, permessi.ente_di(obiettivo)):
        raise ValidationError(
            f"Solo il Nucleo di valutazione può validare o rinviare l'obiettivo {obiettivo.codice}."
        )


_NON_INDICATO = object()


@transaction.atomic
def obiettivo_valida(*, obiettivo: Obiettivo, utente, grado_validato=_NON_INDICATO,
                     motivazione_grado: str | None = None,
                     commento_nucleo: str | None = None) -> Obiettivo:
    """The Nucleo validates ``obiettivo``. Without ``grado_validato`` it keeps the one already
    entered, or confirms the proposed grade when none was entered."""
    obiettivo = _obiettivo_per_scrittura(obiettivo)
    _richiedi_nucleo(utente, obiettivo)
    errori = errori_revisione(obiettivo)
    if errori:
        raise ValidationError(errori)
    if grado_validato is not _NON_INDICATO:
        obiettivo.grado_validato = grado_validato
    elif obiettivo.grado_validato is None and obiettivo.stato == Obiettivo.Stato.ATTIVO:
        obiettivo.grado_validato = obiettivo.grado_proposto
    if motivazione_grado is not None:
        obiettivo.motivazione_grado = motivazione_grado.strip()
    if commento_nucleo is not None:
        obiettivo.commento_nucleo = commento_nucleo.strip()
    errori = errori_grado_validato(obiettivo)
    if errori:
        raise ValidationError(errori)
    obiettivo.stato_rendicontazione = Rendicontazione.VALIDATO
    return _salva(obiettivo, utente, MOTIVO_VALIDAZIONE, [
        "stato_rendicontazione", "grado_validato", "motivazione_grado", "commento_nucleo",
    ])


@transaction.atomic
def obiettivo_rinvia(*, obiettivo: Obiettivo, utente, commento: str) -> Obiettivo:
    """The Nucleo sends ``obiettivo`` back to its dirigente, saying what to change."""
    obiettivo = _obiettivo_per_scrittura(obiettivo)
    _richiedi_nucleo(utente, obiettivo)
    commento = (commento or "").strip()
    errori = errori_revisione(obiettivo, rinvio=True)
    errori += _con_codice(obiettivo, regole.errori_rinvio({"commento_nucleo": commento}))
    if errori:
        raise ValidationError(errori)
    obiettivo.stato_rendicontazione = Rendicontazione.RINVIATO
    obiettivo.commento_nucleo = commento
    return _salva(obiettivo, utente, MOTIVO_RINVIO,
                  ["stato_rendicontazione", "commento_nucleo"])
