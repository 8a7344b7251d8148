"""Writes of the validazione app: the draft of the documento di validazione and its signature.

``documento_bozza`` fills what the Nucleo has not written yet from the cycle and its verifiche;
``documento_firma`` checks, freezes (canonical JSON → SHA-256), renders the PDF/A with the
Relazione's pipeline (``trasparenza.services.pdf_da_html``, print stylesheet ``stampa.css``),
moves the cycle (``obiettivi.workflow.ciclo_esito_validazione``) and, once committed, rewrites
the Relazione's published pages so their summary names the validation. All or nothing.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from obiettivi import permessi, workflow
from obiettivi.models import Atto
from seregno_perf import formati
from trasparenza import services as trasparenza

from . import verifiche as v
from .models import DocumentoValidazione
from .queries import cicli, verifiche_ciclo

Esito = DocumentoValidazione.Esito


def ultima_pubblicazione(ciclo):
    return ciclo.pubblicazioni.order_by("-versione").first()


def documenti_esaminati(ciclo, pubblicazione) -> str:
    """The draft list of the documents examined: plan and PEG acts, the SMVP, the Relazione."""
    righe = [str(a) for a in Atto.objects.filter(cicli=ciclo).order_by("data", "pk")]
    if ciclo.smvp_id is not None:
        righe.append(f"Sistema di misurazione e valutazione: {ciclo.smvp}")
    if pubblicazione is not None:
        righe.append(
            f"Relazione sulla Performance {ciclo.anno}, versione {pubblicazione.versione} "
            f"pubblicata il {formati.data(pubblicazione.pubblicata_il)}, impronta SHA-256 "
            f"{pubblicazione.impronta}"
        )
    return "\n".join(f"– {r}" for r in righe)


def documento_bozza(documento: DocumentoValidazione) -> DocumentoValidazione:
    """Fill the empty fields of an unsaved or draft ``documento`` (its ``ciclo`` set): the
    latest published version, the approving act, the documents examined, each criterion's
    finding from the verifiche, the signed document it supersedes. Nothing is saved."""
    ciclo = cicli().get(pk=documento.ciclo_id)
    if documento.pubblicazione_id is None:
        # none yet: the form then asks for it («Questo campo è obbligatorio»)
        pubblicazione = ultima_pubblicazione(ciclo)
        if pubblicazione is not None:
            documento.pubblicazione = pubblicazione
    else:
        pubblicazione = documento.pubblicazione
    if documento.atto_approvazione_id is None:
        documento.atto_approvazione = ciclo.atto_approvazione
    if not documento.documenti_esaminati:
        documento.documenti_esaminati = documenti_esaminati(ciclo, pubblicazione)
    if documento.sostituisce_id is None and documento.pk is None:
        documento.sostituisce = validazione_firmata(ciclo.pk)
    documento.illustrativo = documento.illustrativo or ciclo.dati_dimostrativi
    for criterio, testo in v.bozza_criteri(verifiche_ciclo(ciclo)).items():
        if not getattr(documento, criterio):
            setattr(documento, criterio, testo)
    return documento


def validazione_firmata(ciclo_id):
    """The cycle's latest signed documento di validazione (None: not validated yet)."""
    return (DocumentoValidazione.objects.filter(ciclo_id=ciclo_id, firmato_il__isnull=False)
            .select_related("pubblicazione").order_by("-firmato_il", "-pk").first())


def errori_firma(documento, utente) -> list[str]:
    """Why ``utente`` cannot sign ``documento`` now (empty list: it can)."""
    if not permessi.is_nucleo(utente, documento.ciclo.ente_id):
        return ["Solo il Nucleo di valutazione firma il documento di validazione dell'ente."]
    if documento.firmato:
        return ["Il documento è già firmato: per correggerlo scriverne uno nuovo che lo sostituisca."]
    errori = []
    ciclo = documento.ciclo
    if ciclo.stato not in workflow.STATI_VALIDABILI:
        errori.append(
            f"La Relazione {ciclo.anno} si valida dopo la sua pubblicazione: il ciclo è "
            f"«{ciclo.get_stato_display()}»."
        )
    ultima = ultima_pubblicazione(ciclo)
    if documento.pubblicazione.ciclo_id != ciclo.pk:
        errori.append("Versione della Relazione: è di un altro ciclo.")
    elif ultima is not None and documento.pubblicazione_id != ultima.pk:
        errori.append(
            f"Versione della Relazione: il documento esamina la versione "
            f"{documento.pubblicazione.versione}, ma quella pubblicata ora è la {ultima.versione}."
        )
    if not documento.esito:
        errori.append("Esito: scegliere «validata», «validata con osservazioni» o «non validata».")
    if not documento.motivazione.strip():
        errori.append("Motivazione dell'esito: è obbligatoria.")
    if documento.ricevuta_il is None:
        errori.append("Relazione ricevuta dal Nucleo il: indicare la data.")
    for campo, etichetta in DocumentoValidazione.CRITERI:
        if not getattr(documento, campo).strip():
            errori.append(f"{etichetta}: scrivere il giudizio del Nucleo.")
    firmatari = list(documento.firmatari.all())
    if not firmatari:
        errori.append("Componenti del Nucleo che firmano: indicarne almeno uno.")
    for persona in firmatari:
        if not permessi.is_nucleo(persona, ciclo.ente_id):
            errori.append(f"Componenti del Nucleo che firmano: {persona} non è del Nucleo.")
    return errori


def nome(utente) -> str:
    return utente.get_full_name() or utente.get_username()


def contenuto(documento, *, firmato_il) -> dict:
    """What the signature freezes, as plain JSON values (the fingerprint is of this)."""
    ciclo, pub = documento.ciclo, documento.pubblicazione
    atto = documento.atto_approvazione
    return {
        "ente": {"slug": ciclo.ente.slug, "nome": ciclo.ente.nome},
        "anno": ciclo.anno,
        "relazione": {"versione": pub.versione, "impronta": pub.impronta,
                      "pubblicata_il": pub.pubblicata_il.isoformat()},
        "atto_approvazione": str(atto) if atto else "",
        "ricevuta_il": documento.ricevuta_il.isoformat(),
        "documenti_esaminati": documento.documenti_esaminati,
        "criteri": [
            {"codice": campo, "titolo": etichetta, "testo": getattr(documento, campo)}
            for campo, etichetta in DocumentoValidazione.CRITERI
        ],
        "esito": documento.esito,
        "esito_etichetta": Esito(documento.esito).label,
        "motivazione": documento.motivazione,
        "firmatari": sorted(nome(u) for u in documento.firmatari.all()),
        "firmato_il": firmato_il.isoformat(),
        "illustrativo": documento.illustrativo,
        "sostituisce": documento.sostituisce.impronta if documento.sostituisce_id else "",
        "verifiche": documento.verifiche,
    }


def impronta(dati: dict) -> str:
    """SHA-256 of the canonical JSON of ``dati`` (sorted keys, no spaces, UTF-8)."""
    canonico = json.dumps(dati, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonico.encode()).hexdigest()


def contesto_pagina(documento) -> dict:
    """What the page and the PDF of a signed document show (from its frozen data)."""
    dati = documento.dati
    return {
        "dati": dati,
        "impronta": documento.impronta,
        "firmato_il": formati.data(timezone.datetime.fromisoformat(dati["firmato_il"])),
        "ricevuta_il": formati.data(timezone.datetime.fromisoformat(dati["ricevuta_il"])),
        "relazione_pubblicata_il": formati.data(
            timezone.datetime.fromisoformat(dati["relazione"]["pubblicata_il"])),
        "url_base": f"/{dati['ente']['slug']}/{dati['anno']}/",
        "riepilogo": v.frase_riepilogo([_Esito(x["esito"]) for x in dati["verifiche"]]),
        "esiti_verifiche": v.ESITI,
    }


class _Esito:
    """A stored check as ``frase_riepilogo`` reads it (only its outcome)."""

    def __init__(self, esito):
        self.esito = esito


def render_pdf(documento) -> bytes:
    html = render_to_string("validazione/documento_stampa.html", contesto_pagina(documento))
    return trasparenza.pdf_da_html(html)


@transaction.atomic
def documento_firma(*, documento: DocumentoValidazione, utente) -> DocumentoValidazione:
    """The Nucleo signs ``documento``: it is frozen with its verifiche, fingerprinted, rendered
    as PDF/A and published; the cycle becomes «validata» (or, «non validata», is reopened)."""
    documento = (DocumentoValidazione.objects.select_for_update(of=("self",))
                 .select_related("ciclo__ente", "pubblicazione", "atto_approvazione",
                                 "sostituisce").get(pk=documento.pk))
    errori = errori_firma(documento, utente)
    if errori:
        raise ValidationError(errori)
    ciclo = cicli().get(pk=documento.ciclo_id)
    documento.verifiche = v.come_dati(verifiche_ciclo(ciclo))
    firmato_il = timezone.now().replace(microsecond=0)
    documento.dati = contenuto(documento, firmato_il=firmato_il)
    documento.impronta = impronta(documento.dati)
    pdf = render_pdf(documento)
    documento.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    documento.pdf.save(
        f"{ciclo.ente.slug}-{ciclo.anno}-validazione-{documento.impronta[:12]}.pdf",
        ContentFile(pdf), save=False,
    )
    documento.firmato_il = firmato_il
    documento.firmato_da = utente
    documento._history_user = utente
    documento._change_reason = f"Firmato: esito «{Esito(documento.esito).label}»"
    documento.save()
    workflow.ciclo_esito_validazione(
        ciclo=ciclo, utente=utente, esito_positivo=documento.esito != Esito.NON_VALIDATA,
        motivazione=documento.motivazione,
    )
    # the Relazione's pages name the validation in their summary: rewritten once committed
    transaction.on_commit(
        lambda: trasparenza.file_pubblicati_scrivi(ciclo=ciclo, con_vicini=False), robust=True
    )
    return documento
