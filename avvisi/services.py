"""Sending the reminders: each message due (``avvisi.queries.promemoria_dovuti``) that is not in
the register is recorded and sent in one transaction — if sending fails the row is rolled back
and the next run tries again; if it is already there (an earlier run, or a concurrent one) it is
not sent again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from .models import AvvisoInviato
from .queries import promemoria_dovuti


@dataclass
class EsitoPromemoria:
    inviati: list[AvvisoInviato] = field(default_factory=list)
    gia_inviati: int = 0
    senza_indirizzo: list[str] = field(default_factory=list)  # usernames
    errori: list[str] = field(default_factory=list)


def promemoria_invia(*, oggi: date) -> EsitoPromemoria:
    """Send every reminder due on ``oggi`` once (see ``avvisi.queries`` for what is due)."""
    esito = EsitoPromemoria()
    dovuti = promemoria_dovuti(oggi)
    registrati = set(
        AvvisoInviato.objects.filter(destinatario__in={p.destinatario.pk for p in dovuti})
        .values_list("tipo", "destinatario_id", "chiave")
    )
    for p in dovuti:
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
            esito.errori.append(f"{p.oggetto} a {indirizzo}: {errore}")
        else:
            esito.inviati.append(avviso)
            registrati.add((p.tipo, p.destinatario.pk, p.chiave))
    return esito
