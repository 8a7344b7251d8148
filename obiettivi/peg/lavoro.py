"""The PEG import as a background job (``Lavoro.Tipo.IMPORTAZIONE_PEG``), for files with more
than ``PEG_IMPORT_RIGHE_SINCRONE`` rows (``caricati.in_background``): the preview (a dry run) and
then, from the preview's page, the confirmation, each a job on the same stored upload.

``parametri``: ``percorso`` (the upload, ``importazioni_peg/<uuid>/<name>``), ``foglio``,
``conferma`` (False for the preview), ``caricato_da`` (the user who uploaded the file: only they
import it, with their own rights — a dirigente writes only their areas' outcomes; a «Riprova» by
someone else is refused), ``anteprima`` (for a confirmation, the preview's job).

``risultato`` is ``obiettivi.peg.esito.Esito.riepilogo()``, what the job's page shows with the
same fragment as the synchronous page (``admin/obiettivi/peg/_anteprima.html``); a preview that
was confirmed also carries ``conferma``, the confirmation's job.

Two imports of a cycle may run at once (two dirigenti, each their own areas): previews only
read; confirmations take a lock on the cycle's row (``caricati.caricato_conferma``), so their
checks and writes follow one another, each on the data the other left.
"""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from lavori import servizi
from lavori.avanzamento import passo
from lavori.models import Lavoro
from seregno_perf import formati

from .caricati import caricato_conferma, caricato_elimina, caricato_importa, e_un_caricato

SOLO_CHI_HA_CARICATO = ("Il file lo importa solo chi lo ha caricato, con i propri permessi: "
                        "caricarlo di nuovo dalla pagina dell'importazione del PEG.")
FILE_SCADUTO = ("Il file caricato non c'è più (si conserva un giorno dopo l'anteprima, e fino "
                "alla conferma): caricarlo di nuovo dalla pagina dell'importazione del PEG.")


def anteprima_accoda(*, ciclo, utente, percorso: str, foglio: str | None) -> servizi.Accodato:
    """Queue the preview of the stored upload ``percorso``."""
    return servizi.accoda(Lavoro.Tipo.IMPORTAZIONE_PEG, ciclo=ciclo, utente=utente, parametri={
        "percorso": percorso, "foglio": foglio or "", "conferma": False, "caricato_da": utente.pk})


@transaction.atomic
def conferma_accoda(*, anteprima: Lavoro, utente) -> servizi.Accodato:
    """Queue the confirmation of a clean preview job of ``utente``'s, once (a second click leads
    to the same confirmation). Raises ValidationError when the preview cannot be confirmed."""
    anteprima = Lavoro.objects.select_for_update().get(pk=anteprima.pk)
    risultato = anteprima.risultato or {}
    if (anteprima.utente_id != utente.pk or anteprima.parametri.get("conferma")
            or anteprima.stato != Lavoro.Stato.COMPLETATO):
        raise ValidationError("Si conferma solo la propria anteprima completata.")
    if risultato.get("conferma"):
        return servizi.Accodato(Lavoro.objects.get(pk=risultato["conferma"]), False)
    if not (risultato.get("ok") and risultato.get("n_modifiche")):
        raise ValidationError("Questa anteprima non ha nulla da importare.")
    accodato = servizi.accoda(Lavoro.Tipo.IMPORTAZIONE_PEG, ciclo=anteprima.ciclo, utente=utente,
                              parametri={**anteprima.parametri, "conferma": True,
                                         "anteprima": anteprima.pk})
    anteprima.risultato = {**risultato, "conferma": accodato.lavoro.pk}
    anteprima.save(update_fields=["risultato"])
    return accodato


def corpo_importazione(lavoro: Lavoro) -> servizi.Esito:
    """Preview or import the stored upload into ``lavoro.ciclo`` as ``lavoro.utente``."""
    from .admin import cicli_di

    parametri = lavoro.parametri or {}
    utente = lavoro.utente
    if utente is None or not utente.is_active or parametri.get("caricato_da") != utente.pk:
        raise ValidationError(SOLO_CHI_HA_CARICATO)
    ciclo = cicli_di(utente).filter(pk=lavoro.ciclo_id).first()
    if ciclo is None:
        raise ValidationError(f"L'utente {utente.get_username()} non può più importare in questo ciclo.")
    percorso = parametri.get("percorso", "")
    if not e_un_caricato(percorso) or not default_storage.exists(percorso):
        raise ValidationError(FILE_SCADUTO)
    foglio = parametri.get("foglio") or None
    if parametri.get("conferma"):
        passo("In attesa delle altre importazioni nel ciclo")
        esito = caricato_conferma(percorso, ciclo=ciclo, utente=utente, foglio=foglio)
        caricato_elimina(percorso)  # written, or refused: either way the file has served
        if not esito.ok:  # the data changed since the preview: «Non riuscito», errors located
            raise servizi.NonRiuscito(_testo(esito, ciclo), risultato=esito.riepilogo())
    else:
        esito = caricato_importa(percorso, ciclo=ciclo, utente=utente, dry_run=True, foglio=foglio)
        if not (esito.ok and esito.n_modifiche):
            caricato_elimina(percorso)  # nothing to confirm
    return servizi.Esito(_testo(esito, ciclo), risultato=esito.riepilogo())


def _testo(esito, ciclo) -> str:
    """The job's outcome in one sentence (its page shows the detail)."""
    if not esito.ok:
        errori = formati.quanti(esito.n_errori, 'errore', 'errori')
        if esito.dry_run:
            return f"Anteprima di {esito.file}: {errori}. Nessun dato è stato scritto."
        return (f"Importazione di {esito.file} non eseguita: {errori} (i dati del ciclo sono "
                "cambiati dopo l'anteprima). Nessun dato è stato scritto.")
    if not esito.n_modifiche:
        return f"{esito.file}: nessuna modifica, i dati del ciclo {ciclo} sono già allineati al file."
    if esito.dry_run:
        return (f"Anteprima di {esito.file} pronta: {formati.quanti(esito.n_modifiche, 'riga', 'righe')} da scrivere. "
                "Niente è stato ancora scritto: confermare per importare.")
    return f"{esito.file} importato nel ciclo {ciclo}: {formati.quanti(esito.n_modifiche, 'riga scritta', 'righe scritte')}."
