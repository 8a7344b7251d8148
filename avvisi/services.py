"""Sending the reminders: each message due (``avvisi.queries.promemoria_dovuti``) that is not in
the register is recorded and sent in one transaction — if sending fails the row is rolled back
and the next run tries again; if it is already there (an earlier run, or a concurrent one) it is
not sent again.

As a background job (``lavori``, kind PROMEMORIA, no ente: the installation's, followed by the
host): ``accoda_promemoria`` queues it (from ``invia_promemoria --in-coda``, cron, or the host's
button in the register of sent e-mails), one at a time; the worker runs ``corpo_promemoria``. A
message the mail server refuses makes the job «Non riuscito» with the errors listed — the
messages sent are recorded, so «Riprova» (or the next run) sends only what is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from lavori.avanzamento import passo
from lavori.models import Lavoro
from lavori.servizi import Accodato, Esito, accoda
from seregno_perf import formati

from .models import AvvisoInviato
from .queries import promemoria_dovuti


@dataclass
class EsitoPromemoria:
    inviati: list[AvvisoInviato] = field(default_factory=list)
    gia_inviati: int = 0
    senza_indirizzo: list[str] = field(default_factory=list)  # usernames
    errori: list[str] = field(default_factory=list)

    def frase(self, oggi: date) -> str:
        """The outcome in one Italian sentence (the command's last line, the job's page)."""
        if not (self.inviati or self.gia_inviati or self.errori):
            frase = f"Promemoria del {formati.data(oggi)}: nessun messaggio dovuto."
        else:
            frase = (f"Promemoria del {formati.data(oggi)}: "
                     f"{formati.quanti(len(self.inviati), 'messaggio inviato', 'messaggi inviati')}, "
                     f"{formati.quanti(self.gia_inviati, 'già inviato', 'già inviati')} in precedenza")
            if self.errori:
                frase += (f", {formati.quanti(len(self.errori), 'non inviato', 'non inviati')} "
                          "per un errore del server di posta")
            frase += "."
        if self.senza_indirizzo:
            frase += (" Senza indirizzo e-mail, quindi senza avviso: "
                      f"{', '.join(self.senza_indirizzo)}.")
        return frase


def promemoria_invia(*, oggi: date) -> EsitoPromemoria:
    """Send every reminder due on ``oggi`` once (see ``avvisi.queries`` for what is due)."""
    esito = EsitoPromemoria()
    passo("Calcolo dei promemoria dovuti")
    dovuti = promemoria_dovuti(oggi)
    registrati = set(
        AvvisoInviato.objects.filter(destinatario__in={p.destinatario.pk for p in dovuti})
        .values_list("tipo", "destinatario_id", "chiave")
    )
    for numero, p in enumerate(dovuti, 1):
        passo(f"Invio dei messaggi ({numero} di {len(dovuti)})")
        if (p.tipo, p.destinatario.pk, p.chiave) in registrati:
            esito.gia_inviati += 1
            continue
        indirizzo = (p.destinatario.email or "").strip()
        if not indirizzo:
            if p.destinatario.username not in esito.senza_indirizzo:
                esito.senza_indirizzo.append(p.destinatario.username)
            continue
        try:
            with transaction.atomic():
                avviso = AvvisoInviato.objects.create(
                    tipo=p.tipo, destinatario=p.destinatario, chiave=p.chiave, ciclo=p.ciclo,
                    indirizzo=indirizzo, oggetto=p.oggetto[:200], testo=p.testo,
                )
                EmailMessage(
                    subject=p.oggetto, body=p.testo, from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[indirizzo],
                ).send(fail_silently=False)
        except IntegrityError:  # a concurrent run sent it first
            esito.gia_inviati += 1
        except Exception as errore:  # noqa: BLE001 - the mail server's error, reported per message
            esito.errori.append(f"«{p.oggetto}» a {indirizzo} ({errore})")
        else:
            esito.inviati.append(avviso)
            registrati.add((p.tipo, p.destinatario.pk, p.chiave))
    return esito


ERRORI_MOSTRATI = 10  # in the failed job's message; the others are counted


def _giorno(parametri: dict) -> date:
    """The day of the reminders: ``parametri["oggi"]`` (ISO), else the day the job runs (a job
    retried the next day sends that day's reminders, not yesterday's out of date ones)."""
    testo = (parametri or {}).get("oggi")
    if not testo:
        return timezone.localdate()
    try:
        return date.fromisoformat(testo)
    except (TypeError, ValueError):
        raise ValidationError(f"Parametro «oggi»: «{testo}» non è una data AAAA-MM-GG.") from None


def corpo_promemoria(lavoro):
    """The body of a PROMEMORIA job (``lavori.servizi.CORPI``): send what is due. If the mail
    server refused some message the job fails, listing them: what was sent is recorded, so
    «Riprova» sends only the rest (like the command, which exits with status 1)."""
    oggi = _giorno(lavoro.parametri)
    esito = promemoria_invia(oggi=oggi)
    if esito.errori:
        elenco = "; ".join(esito.errori[:ERRORI_MOSTRATI])
        altri = len(esito.errori) - ERRORI_MOSTRATI
        if altri > 0:
            elenco += f"; e {formati.quanti(altri, 'altro', 'altri')}"
        raise ValidationError(
            f"{esito.frase(oggi)} Quelli non inviati: {elenco}. I messaggi inviati sono registrati: "
            "«Riprova» (o il prossimo avvio) invia solo quelli mancanti.")
    return Esito(esito.frase(oggi), {
        "oggi": oggi.isoformat(), "inviati": len(esito.inviati), "gia_inviati": esito.gia_inviati,
        "senza_indirizzo": esito.senza_indirizzo,
    })


def accoda_promemoria(*, utente=None, oggi: date | None = None) -> Accodato:
    """Queue the sending of the reminders due (``oggi``, default: the day the worker runs it) as
    an installation job; if one is already queued or running, that one is returned
    (``Accodato.nuovo`` False): cron's runs do not pile up behind a stopped worker."""
    return accoda(Lavoro.Tipo.PROMEMORIA, utente=utente,
                  parametri={"oggi": oggi.isoformat()} if oggi else {})
