"""Writes of the valutazione app: the SMVP and its versions."""

from decimal import Decimal

from django.db import transaction

from .models import Fascia, LivelloScala, Smvp

# Seregno's scales, as printed in the Relazione 2021 ("Le modalità di valutazione").
GRADI_SEREGNO = [
    (1, "Obiettivo/i non raggiunto/i"),
    (2, "Obiettivo/i parzialmente conseguito/i"),
    (3, "Obiettivo/i raggiunto/i in misura adeguata"),
    (4, "Obiettivo/i pienamente conseguito/i"),
    (5, "Obiettivo/i conseguito/i e superato/i"),
]
BAROMETRO_SEREGNO = [
    (0, "Standard quali-quantitativo NON rispettato"),
    (1, "Standard quali-quantitativo parzialmente in linea con i valori programmati"),
    (2, "Standard quali-quantitativo in linea con i valori programmati"),
    (3, "Standard quali-quantitativo mediamente oltre i valori programmati"),
]

# Bands the document does not state: our documented defaults (docs/scoring.md).
# (da, a, grado): da included, a excluded, a=None = open upper end.
FASCE_DEFAULT = {
    Fascia.Tipo.RAGGIUNGIMENTO: [
        ("0", "50", 1),
        ("50", "80", 2),
        ("80", "95", 3),
        ("95", "105", 4),
        ("105", None, 5),
    ],
    Fascia.Tipo.QUALITA: [
        ("0", "1", 1),
        ("1", "1.5", 2),
        ("1.5", "2", 3),
        ("2", "2.5", 4),
        ("2.5", None, 5),
    ],
    Fascia.Tipo.FINANZIARIA: [
        ("0", "50", 1),
        ("50", "70", 2),
        ("70", "85", 3),
        ("85", "100", 4),
        ("100", None, 5),
    ],
}

NOME_SMVP_DEFAULT = "Sistema di misurazione e valutazione della performance"


@transaction.atomic
def smvp_create_default(*, ente=None, atto=None, nome=NOME_SMVP_DEFAULT, versione=1):
    """Create (or return, unchanged) the default SMVP: Seregno's GC 175/2012 rules.

    Weights 40/30/30, the 1–5 grade scale and the 0–3 barometro scale with Seregno's labels,
    and the default bands of ``FASCE_DEFAULT``. Idempotent on (ente, nome, versione).
    """
    smvp, created = Smvp.objects.get_or_create(
        ente=ente,
        nome=nome,
        versione=versione,
        defaults={
            "atto": atto,
            "descrizione": (
                "Regole del Sistema di misurazione e valutazione della performance approvato con "
                "deliberazione di G.C. n. 175 del 25 settembre 2012: livello di performance di "
                "ente = PFin × 40% + PObj_Gen × 30% + PQua_Gen × 30%, in scala da 1 a 5. "
                "Le fasce di conversione non indicate dal documento sono i valori predefiniti "
                "del programma (vedi la nota metodologica)."
            ),
            "peso_finanziaria": Decimal("40"),
            "peso_obiettivi": Decimal("30"),
            "peso_qualita": Decimal("30"),
        },
    )
    if not created:
        return smvp
    LivelloScala.objects.bulk_create(
        [
            LivelloScala(smvp=smvp, scala=LivelloScala.Scala.GRADO, valore=v, etichetta=e)
            for v, e in GRADI_SEREGNO
        ]
        + [
            LivelloScala(smvp=smvp, scala=LivelloScala.Scala.BAROMETRO, valore=v, etichetta=e)
            for v, e in BAROMETRO_SEREGNO
        ]
    )
    Fascia.objects.bulk_create(
        [
            Fascia(
                smvp=smvp,
                tipo=tipo,
                da=Decimal(da),
                a=None if a is None else Decimal(a),
                valore=valore,
            )
            for tipo, fasce in FASCE_DEFAULT.items()
            for da, a, valore in fasce
        ]
    )
    return smvp


@transaction.atomic
def smvp_duplica(*, smvp: Smvp, nome: str | None = None, versione: int | None = None) -> Smvp:
    """Copy ``smvp`` with its scales and bands as a new version (next free number by default).

    The copy is not used by any ciclo until an administrator chooses it: changing the rules of a
    cycle already evaluated stays an explicit act.
    """
    nome = nome or smvp.nome
    if versione is None:
        ultime = Smvp.objects.filter(ente=smvp.ente, nome=nome).order_by("-versione")
        versione = (ultime.values_list("versione", flat=True).first() or 0) + 1
    livelli = list(smvp.livelli.all())
    fasce = list(smvp.fasce.all())
    copia = Smvp.objects.get(pk=smvp.pk)
    copia.pk = None
    copia.nome = nome
    copia.versione = versione
    copia.save()
    LivelloScala.objects.bulk_create(
        [LivelloScala(smvp=copia, scala=l.scala, valore=l.valore, etichetta=l.etichetta) for l in livelli]
    )
    Fascia.objects.bulk_create(
        [Fascia(smvp=copia, tipo=f.tipo, da=f.da, a=f.a, valore=f.valore) for f in fasce]
    )
    return copia
