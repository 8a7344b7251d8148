"""Who may see and do what: the roles, the enti a user works for, and the areas they answer for.

Roles are Django groups, defined once at the end of this module (``permessi_dei_ruoli``):
``Amministratore`` (Servizio Programmazione e controlli, and HR for the schede), ``Dirigente``,
``Nucleo di valutazione``, ``Valutatore`` (Sindaco or Segretario evaluating the dirigenti; only
their schede). The groups give the *model* permissions (which admin pages open); the *scope*
(which enti's rows) comes from the user's incarichi (``obiettivi.Incarico``: Amministratore of
ente A, Nucleo of A, B and C), written through ``assegna`` / ``revoca``. A dirigente's scope is
their areas (``Area.dirigenti``; areas belong to a cycle of one ente). A role counts in an ente
only with both the group and the incarico.

The host (a superuser of the installation) manages enti, users, incarichi and groups, and —
for support — reads and changes every ente's data; they hold no incarico, so they are nobody's
Amministratore on the desks and in the reminders (see ``docs/enti.md``).

Every admin path, import and export asks these functions — scoping lives here and nowhere else.
The ids of a user's enti and areas are computed once per request (cached on the user object)
and every filter is ``ente_id IN (…)`` / ``ciclo__ente_id IN (…)`` / ``area_id IN (…)``.
"""

from django.db.models import Q

from .models import Area

AMMINISTRATORE = "Amministratore"
DIRIGENTE = "Dirigente"
NUCLEO = "Nucleo di valutazione"
# Who evaluates people without being a dirigente of an area (the Sindaco, the Segretario):
# they enter the admin only for the schede they evaluate (performance individuale).
VALUTATORE = "Valutatore"
RUOLI = (AMMINISTRATORE, DIRIGENTE, NUCLEO, VALUTATORE)
# The roles held per ente (``Incarico.ruolo``); the others are scoped by areas or schede.
RUOLI_PER_ENTE = (AMMINISTRATORE, NUCLEO)


def _gruppi(user):
    cache = getattr(user, "_seregno_gruppi", None)
    if cache is None:
        cache = frozenset(user.groups.values_list("name", flat=True)) if user.is_authenticated else frozenset()
        user._seregno_gruppi = cache
    return cache


def _attivo(user):
    return bool(user.is_authenticated and user.is_active)


def is_host(user):
    """The installation's superuser: manages enti, users and incarichi; reads every ente."""
    return bool(_attivo(user) and user.is_superuser)


def _incarichi(user) -> dict:
    """{ruolo: frozenset of ente ids} of ``user``'s incarichi whose group they also hold
    (one query per request, cached on the user object)."""
    cache = getattr(user, "_seregno_incarichi", None)
    if cache is None:
        cache = {ruolo: set() for ruolo in RUOLI_PER_ENTE}
        if _attivo(user) and not _gruppi(user).isdisjoint(RUOLI_PER_ENTE):  # else no query
            from .models import Incarico

            gruppi = _gruppi(user)
            for ruolo, ente_id in Incarico.objects.filter(utente_id=user.pk).values_list("ruolo", "ente_id"):
                if ruolo in gruppi and ruolo in cache:
                    cache[ruolo].add(ente_id)
        cache = {ruolo: frozenset(ids) for ruolo, ids in cache.items()}
        user._seregno_incarichi = cache
    return cache


def enti_del_ruolo(user, ruolo) -> frozenset:
    """Ids of the enti where ``user`` holds ``ruolo`` (Amministratore or Nucleo)."""
    return _incarichi(user).get(ruolo, frozenset())


def ids_enti_pieni(user):
    """Ids of the enti whose every row ``user`` sees (Amministratore or Nucleo there);
    ``None`` for the host (every ente)."""
    if is_host(user):
        return None
    incarichi = _incarichi(user)
    return incarichi[AMMINISTRATORE] | incarichi[NUCLEO]


def vede_piu_enti(user) -> bool:
    """``user`` sees every row of more than one ente: the Nucleo in forma associata, an
    Amministratore of several enti, the host of an installation with more than one ente."""
    pieni = ids_enti_pieni(user)
    if pieni is None:
        from .models import Ente

        return len(Ente.objects.values_list("pk", flat=True)[:2]) > 1
    return len(pieni) > 1


def _id(ente):
    return getattr(ente, "pk", ente)


def _ha_ruolo(user, ruolo, ente):
    ids = enti_del_ruolo(user, ruolo)
    return bool(ids) if ente is None else _id(ente) in ids


def is_amministratore(user, ente=None):
    """Amministratore of ``ente`` (an Ente or its id), or of at least one ente if ``ente`` is
    None. The host counts as one everywhere (every power, for support)."""
    if not _attivo(user):
        return False
    return bool(user.is_superuser or _ha_ruolo(user, AMMINISTRATORE, ente))


def is_nucleo(user, ente=None):
    """Member of the Nucleo di valutazione of ``ente`` (or of at least one ente)."""
    return bool(_attivo(user) and _ha_ruolo(user, NUCLEO, ente))


def is_dirigente(user):
    return bool(user.is_active and DIRIGENTE in _gruppi(user))


def vede_tutto(user, ente=None):
    """Sees every row of ``ente`` (of at least one of their enti if None): the host, an
    Amministratore or the Nucleo of it. Never «every ente» for anyone but the host."""
    return is_amministratore(user, ente) or is_nucleo(user, ente)


def aree_dirette(user):
    """Areas (all cycles) where ``user`` is dirigente, including their sub-areas (services)."""
    dirette = Area.objects.filter(dirigenti=user)
    return Area.objects.get_queryset_descendants(dirette, include_self=True)


def aree_visibili(user):
    """The areas ``user`` may see: those of their enti, plus the areas they direct."""
    return filtra_per_area(user, Area.objects.all(), "pk")


def enti_visibili(user):
    """The enti ``user`` works for: those of their incarichi and, for a dirigente, the enti of
    their areas' cycles; every ente for the host; none for anyone else."""
    from .models import Ente

    return filtra_per_area(user, Ente.objects.all(), None)


def _ids_aree_dirette(user):
    cache = getattr(user, "_seregno_aree", None)
    if cache is None:
        cache = frozenset(aree_dirette(user).values_list("pk", flat=True)) if user.is_authenticated else frozenset()
        user._seregno_aree = cache
    return cache


def dirige(user, area):
    """``user`` is a dirigente of ``area`` (or of an area above it)."""
    return bool(area is not None and is_dirigente(user) and area.pk in _ids_aree_dirette(user))


# --- the incarichi: written here, with the group ------------------------------------------

def assegna(utente, ente, ruolo):
    """Give ``utente`` the role ``ruolo`` (Amministratore or Nucleo) in ``ente``: the incarico
    and the group (idempotent)."""
    from django.contrib.auth.models import Group

    from .models import Incarico

    if ruolo not in RUOLI_PER_ENTE:
        raise ValueError(f"Il ruolo «{ruolo}» non si assegna per ente.")
    Incarico.objects.get_or_create(utente=utente, ente_id=_id(ente), ruolo=ruolo)
    if not utente.groups.filter(name=ruolo).exists():  # a second run writes nothing
        utente.groups.add(Group.objects.get_or_create(name=ruolo)[0])
    dimentica(utente)


def revoca(utente, ente, ruolo):
    """Take ``ruolo`` in ``ente`` away from ``utente``; the group goes with the last incarico."""
    from .models import Incarico

    Incarico.objects.filter(utente=utente, ente_id=_id(ente), ruolo=ruolo).delete()
    allinea_gruppi(utente)


def allinea_gruppi(utente):
    """The groups of the per-ente roles follow the incarichi: held iff one incarico at least
    (after an incarico is added or removed in the admin)."""
    from django.contrib.auth.models import Group

    from .models import Incarico

    ruoli = set(Incarico.objects.filter(utente=utente).values_list("ruolo", flat=True))
    for ruolo in RUOLI_PER_ENTE:
        gruppo = Group.objects.get_or_create(name=ruolo)[0]
        if ruolo in ruoli:
            utente.groups.add(gruppo)
        else:
            utente.groups.remove(gruppo)
    dimentica(utente)


def dimentica(user):
    """Forget the roles cached on ``user`` (after changing them)."""
    for attributo in ("_seregno_gruppi", "_seregno_incarichi", "_seregno_aree"):
        user.__dict__.pop(attributo, None)


# --- what an object belongs to ------------------------------------------------------------

def area_di(obj):
    """The area an object answers to (None: the whole ente, e.g. a financial indicator)."""
    if isinstance(obj, Area):
        return obj
    if hasattr(obj, "obiettivo_id") and not hasattr(obj, "area_id"):
        return obj.obiettivo.area
    return getattr(obj, "area", None)


def ciclo_di(obj):
    """The cycle whose figures ``obj`` is part of (None for ente, atti and unused SMVP)."""
    from .models import Ciclo

    if isinstance(obj, Ciclo):
        return obj
    if hasattr(obj, "ciclo_id"):
        return obj.ciclo
    if hasattr(obj, "obiettivo_id"):
        return obj.obiettivo.ciclo
    if hasattr(obj, "scheda_id"):
        return obj.scheda.ciclo
    return None


def ente_di(obj):
    """The id of the ente ``obj`` belongs to (None: shared by every ente, e.g. an SMVP model
    without ente, or not yet known on an unsaved row)."""
    from .models import Ente

    if isinstance(obj, Ente):
        return obj.pk
    if hasattr(obj, "ente_id"):
        return obj.ente_id
    if getattr(obj, "ciclo_id", 1) is None or getattr(obj, "obiettivo_id", 1) is None:
        return None
    ciclo = ciclo_di(obj)
    if ciclo is not None:
        return ciclo.ente_id
    if getattr(obj, "smvp_id", None) is not None:
        return obj.smvp.ente_id
    return None


# The lookup from each scoped model to its Ente: every list, dropdown, filter and export of
# these models is ``<lookup> IN (the user's enti)``. A model missing here is seen by the host
# only (``tests/ruoli/test_matrice_enti.py`` checks every admin's model is here).
PERCORSI_ENTE = {
    "obiettivi.ente": "pk",
    "obiettivi.vocescheda": "ente",
    "obiettivi.ciclo": "ente",
    "obiettivi.atto": "ente",
    "obiettivi.incarico": "ente",
    "obiettivi.riaperturaciclo": "ciclo__ente",
    "obiettivi.area": "ciclo__ente",
    "obiettivi.nodostrategico": "ciclo__ente",
    "obiettivi.obiettivo": "ciclo__ente",
    "obiettivi.indicatore": "obiettivo__ciclo__ente",
    "obiettivi.fase": "obiettivo__ciclo__ente",
    "obiettivi.variazioneobiettivo": "obiettivo__ciclo__ente",
    "obiettivi.testoreport": "ciclo__ente",
    "obiettivi.tabellareport": "ciclo__ente",
    "obiettivi.rispostarpct": "ciclo__ente",
    "valutazione.smvp": "ente",
    "valutazione.livelloscala": "smvp__ente",
    "valutazione.fascia": "smvp__ente",
    "valutazione.standardbarometro": "ciclo__ente",
    "valutazione.indicatorefinanziario": "ciclo__ente",
    "validazione.documentovalidazione": "ciclo__ente",
    "trasparenza.pubblicazione": "ciclo__ente",
    "individuale.grupporuolo": "smvp__ente",
    "individuale.comportamento": "smvp__ente",
    "individuale.livellocomportamento": "smvp__ente",
    "individuale.fasciapremio": "smvp__ente",
    "individuale.obiettivoobbligatorio": "smvp__ente",
    "individuale.persona": "ente",
    "individuale.schedavalutazione": "ciclo__ente",
    "individuale.obiettivoindividuale": "scheda__ciclo__ente",
    "individuale.punteggiocomportamento": "scheda__ciclo__ente",
    "individuale.fondopremi": "ciclo__ente",
    "lavori.lavoro": "ente",
    "avvisi.avvisoinviato": "ciclo__ente",
}
# Models whose rows without an ente (an SMVP «available to every ente») every ente reads.
CONDIVISI_SENZA_ENTE = frozenset(
    etichetta for etichetta, percorso in PERCORSI_ENTE.items() if percorso in ("ente", "smvp__ente")
    and etichetta.startswith(("valutazione.", "individuale.")) and etichetta != "individuale.persona"
)


def filtro_enti(model, ids, percorso=None):
    """The ``Q`` limiting ``model``'s rows to the enti ``ids`` (``percorso``: the lookup to the
    ente, default ``PERCORSI_ENTE``)."""
    etichetta = model._meta.label_lower
    percorso = percorso or PERCORSI_ENTE[etichetta]
    condizione = Q(**{f"{percorso}__in": sorted(ids)})
    if etichetta in CONDIVISI_SENZA_ENTE:
        condizione |= Q(**{f"{percorso}__isnull": True})
    return condizione


def filtra_per_area(user, queryset, percorso):
    """``queryset`` limited to what ``user`` may see: every row of their enti (Amministratore,
    Nucleo), plus — for a dirigente — the rows of their areas; ``percorso`` is the lookup to
    the Area (``"area"``, ``"obiettivo__area"``…) or None for rows that belong to no area."""
    pieni = ids_enti_pieni(user)
    if pieni is None:
        return queryset
    condizione = None
    etichetta = queryset.model._meta.label_lower
    if pieni and etichetta in PERCORSI_ENTE:
        condizione = filtro_enti(queryset.model, pieni)
    if is_dirigente(user):
        if percorso is not None:
            diretti = Q(**{f"{percorso}__in": sorted(_ids_aree_dirette(user))})
            condizione = diretti if condizione is None else condizione | diretti
        elif etichetta == "obiettivi.ente":
            diretti = Q(pk__in=Area.objects.filter(pk__in=sorted(_ids_aree_dirette(user))).values("ciclo__ente_id"))
            condizione = diretti if condizione is None else condizione | diretti
    if condizione is None:
        return queryset.none()
    return queryset.filter(condizione)


def puo_vedere(user, obj):
    """``user`` may open ``obj``: it is of one of their enti (or shared by every ente), or of an
    area they direct."""
    if is_host(user):
        return True
    return vede_tutto(user, ente_di(obj)) or dirige(user, area_di(obj))


# --- performance individuale: the schede (personal data) ---------------------------------------
#
# A scheda is seen only by the people it concerns (issue 16, point 4): the person evaluated (their
# user), their evaluator, the Nucleo for the role groups it proposes (``GruppoRuolo.nucleo_vede``,
# the dirigenti) and the Amministratore, who manages the schede (HR) but reads the scores only
# once a scheda is definitive. Nobody else, through any path: every list, page, export, PDF and
# history of ``individuale`` asks these functions.

def schede_visibili(user, queryset):
    """``queryset`` of ``SchedaValutazione`` limited to the schede ``user`` may open."""
    from django.db.models import Q

    if not _attivo(user):
        return queryset.none()
    if is_host(user):
        return queryset
    condizione = Q(persona__utente=user) | Q(valutatore=user)
    if enti_del_ruolo(user, AMMINISTRATORE):
        condizione |= Q(ciclo__ente__in=sorted(enti_del_ruolo(user, AMMINISTRATORE)))
    if enti_del_ruolo(user, NUCLEO):
        condizione |= Q(gruppo__nucleo_vede=True, ciclo__ente__in=sorted(enti_del_ruolo(user, NUCLEO)))
    return queryset.filter(condizione)


def e_valutato(user, scheda):
    """``user`` is the person ``scheda`` evaluates."""
    return bool(user.is_authenticated and scheda.persona.utente_id == user.pk)


def e_valutatore(user, scheda):
    return bool(user.is_authenticated and user.is_active and scheda.valutatore_id == user.pk)


def nucleo_della_scheda(user, scheda):
    """The Nucleo of the scheda's ente sees (and proposes) the schede of the role groups it
    evaluates (dirigenti)."""
    return bool(is_nucleo(user, ente_di(scheda)) and scheda.gruppo.nucleo_vede)


def puo_vedere_scheda(user, scheda):
    return bool(user.is_authenticated and user.is_active and (
        is_amministratore(user, ente_di(scheda)) or e_valutato(user, scheda) or e_valutatore(user, scheda)
        or nucleo_della_scheda(user, scheda)))


# States from which the person evaluated reads the scores given to them.
STATI_PUNTEGGI_AL_VALUTATO = ("presa_visione", "conciliazione", "definitiva")


def vede_punteggi(user, scheda):
    """Scores of ``scheda`` (components, total, bonus): the evaluator and the Nucleo always; the
    person from the delivery of the evaluation; the Amministratore (HR) only once definitive."""
    if not puo_vedere_scheda(user, scheda):
        return False
    if e_valutatore(user, scheda) or nucleo_della_scheda(user, scheda):
        return True
    if e_valutato(user, scheda):
        return scheda.stato in STATI_PUNTEGGI_AL_VALUTATO
    return scheda.stato == "definitiva"  # the Amministratore (HR)


def persone_visibili(user, queryset):
    """``queryset`` of ``Persona`` limited to whom ``user`` may know about: every person of their
    enti for the Amministratore (HR keeps the register); for anyone else the persons of the
    schede they see (a filter or a dropdown never names anybody else)."""
    if not _attivo(user):
        return queryset.none()
    if is_host(user):
        return queryset
    from individuale.models import SchedaValutazione

    schede = schede_visibili(user, SchedaValutazione.objects.all())
    condizione = Q(pk__in=schede.values("persona_id"))
    if enti_del_ruolo(user, AMMINISTRATORE):
        condizione |= Q(ente__in=sorted(enti_del_ruolo(user, AMMINISTRATORE)))
    return queryset.filter(condizione)


# The fields that hold an evaluation (scores, results, levels and the evaluator's judgments),
# per model: never shown — not in forms, lists, history, exports or PDFs — to whom
# ``vede_punteggi`` says no (the person before the evaluation is delivered, HR before it is
# definitive).
CAMPI_PUNTEGGIO = {
    "individuale.schedavalutazione": (
        "punteggio_ente", "punteggio_area", "punteggio_differenziazione", "punteggio_finale",
        "conciliazione_punteggio", "commento_valutatore",
    ),
    "individuale.obiettivoindividuale": ("risultato", "commento"),
    "individuale.punteggiocomportamento": ("livello", "commento"),
}


def campi_punteggio_nascosti(user, scheda, model) -> frozenset:
    """The fields of ``model`` (the scheda or one of its rows) hidden from ``user`` on
    ``scheda``: the score fields, unless ``vede_punteggi``; none otherwise. ``scheda`` None
    (a new scheda, a list of many): hidden unless the user is an evaluator by role."""
    campi = frozenset(CAMPI_PUNTEGGIO.get(model._meta.label_lower, ()))
    if scheda is None:
        return campi
    return frozenset() if vede_punteggi(user, scheda) else campi


# What each role changes on a scheda, by state (issue 16 point 3): the process itself (states,
# dates, signatures, the person's remarks) is ``individuale.processo``'s, never a form's.
CAMPI_SCHEDA_HR = ("valutatore", "part_time", "mesi_servizio", "mesi_esclusi", "periodi_esclusi")
CAMPI_SCHEDA_PESI = ("peso_ente", "peso_area", "peso_obiettivi", "peso_comportamenti",
                     "peso_differenziazione")
CAMPI_OBIETTIVO_ASSEGNAZIONE = ("descrizione", "obiettivo", "peso", "indicatore", "ordine")
CAMPI_OBIETTIVO_VALUTAZIONE = ("risultato", "commento")
CAMPI_COMPORTAMENTO_VALUTAZIONE = ("livello", "commento")
CAMPI_SCHEDA_VALUTAZIONE = ("commento_valutatore", "punteggio_differenziazione")
STATI_ASSEGNAZIONE = ("bozza", "colloquio_iniziale", "colloquio_intermedio")
STATI_DATI_HR = STATI_ASSEGNAZIONE + ("valutazione",)


def campi_scheda_modificabili(user, scheda) -> dict[str, frozenset]:
    """The fields ``user`` may change now on ``scheda`` and its rows: a dict from the model's
    label (``individuale.schedavalutazione``, ``…obiettivoindividuale``,
    ``…punteggiocomportamento``) to a frozenset of field names (maybe empty).

    * bozza, colloquio iniziale, colloquio intermedio: the evaluator and HR (the Amministratore)
      assign the individual objectives and their weights (adding and removing rows); HR also
      the scheda's data (evaluator, part-time, months) and its weights; the evaluator writes the
      notes of the intermediate interview;
    * valutazione: the evaluator — and the Nucleo for the groups it proposes (dirigenti) —
      enters results, levels, comments and the differentiation score; HR may still correct the
      person's data;
    * conciliazione: the outcome — its reasons (evaluator and HR) and the score after it (the
      evaluator only: HR does not read scores before the scheda is definitive);
    * presa visione, definitiva: nothing (the person's remarks go through their own page).

    A locked cycle (approvata, pubblicata) is read-only for everyone."""
    from . import workflow

    vuoto = frozenset()
    campi = {"individuale.schedavalutazione": set(), "individuale.obiettivoindividuale": set(),
             "individuale.punteggiocomportamento": set()}
    if not puo_vedere_scheda(user, scheda) or workflow.ciclo_bloccato(scheda.ciclo):
        return {k: vuoto for k in campi}
    stato = scheda.stato
    hr = is_amministratore(user, ente_di(scheda))
    valuta = e_valutatore(user, scheda)
    propone = nucleo_della_scheda(user, scheda)
    if stato in STATI_ASSEGNAZIONE and (hr or valuta):
        campi["individuale.obiettivoindividuale"].update(CAMPI_OBIETTIVO_ASSEGNAZIONE)
    if stato in STATI_ASSEGNAZIONE and hr:
        campi["individuale.schedavalutazione"].update(CAMPI_SCHEDA_PESI)
    if stato in STATI_DATI_HR and hr:
        campi["individuale.schedavalutazione"].update(CAMPI_SCHEDA_HR)
    if stato == "colloquio_intermedio" and valuta:
        campi["individuale.schedavalutazione"].add("note_colloquio_intermedio")
    if stato == "valutazione" and (valuta or propone):
        campi["individuale.obiettivoindividuale"].update(CAMPI_OBIETTIVO_VALUTAZIONE)
        campi["individuale.punteggiocomportamento"].update(CAMPI_COMPORTAMENTO_VALUTAZIONE)
        campi["individuale.schedavalutazione"].add("commento_valutatore")
        if scheda.peso_differenziazione:
            campi["individuale.schedavalutazione"].add("punteggio_differenziazione")
    if stato == "conciliazione" and (valuta or hr):
        campi["individuale.schedavalutazione"].add("conciliazione_esito")
        if valuta:
            campi["individuale.schedavalutazione"].add("conciliazione_punteggio")
    return {k: frozenset(v) for k, v in campi.items()}


def puo_modificare_scheda(user, scheda) -> bool:
    return any(campi_scheda_modificabili(user, scheda).values())


# --- which fields a role changes ------------------------------------------------------------

TUTTI = None  # sentinel of ``campi_modificabili``: every field of the form

# The dirigente's outcome fields, per model (label → fields).
CAMPI_ESITO = {
    "obiettivi.obiettivo": ("relazione", "grado_proposto", "spiegazione_grado"),
    "obiettivi.indicatore": ("consuntivo", "data_consuntivo"),
    "obiettivi.fase": ("percentuale",),
    "valutazione.standardbarometro": ("rilevato",),
}
# The Nucleo's review fields.
CAMPI_REVISIONE = {
    "obiettivi.obiettivo": ("grado_validato", "motivazione_grado", "commento_nucleo"),
}


def campi_modificabili(user, obj):
    """The fields ``user`` may change on ``obj`` now: ``TUTTI`` or a frozenset (maybe empty).

    * Locked cycle (approvata, pubblicata): nothing, for everyone.
    * Amministratore of the object's ente (and the host): every field.
    * Dirigente of the object's area: the outcome fields, while the cycle is in
      rendicontazione and the objective is a draft or was sent back.
    * Nucleo di valutazione of the object's ente: the review fields of an objective sent to it, while the cycle is
      in rendicontazione or validazione.
    """
    from . import workflow
    from .models import Ciclo, Obiettivo

    ciclo = ciclo_di(obj)
    if ciclo is not None and workflow.ciclo_bloccato(ciclo):
        return frozenset()
    if _smvp_bloccato(obj):
        return frozenset()
    ente = ente_di(obj)
    if ente is None and obj.pk is not None and obj._meta.label_lower in CONDIVISI_SENZA_ENTE:
        return TUTTI if is_host(user) else frozenset()  # a model shared by every ente: the host's
    if is_amministratore(user, ente):
        return TUTTI
    etichetta = obj._meta.label_lower
    campi = set()
    obiettivo = obj if isinstance(obj, Obiettivo) else getattr(obj, "obiettivo", None)
    if (etichetta in CAMPI_ESITO and ciclo is not None and ciclo.stato == Ciclo.Stato.RENDICONTAZIONE
            and dirige(user, area_di(obj))
            and (obiettivo is None or obiettivo.stato_rendicontazione in workflow.DA_INVIARE)):
        campi.update(CAMPI_ESITO[etichetta])
    if (etichetta in CAMPI_REVISIONE and is_nucleo(user, ente) and ciclo is not None
            and ciclo.stato in workflow.STATI_REVISIONE
            and obj.stato_rendicontazione in workflow.INVIATI):
        campi.update(CAMPI_REVISIONE[etichetta])
    return frozenset(campi)


# Fields that only organise the plan (the order of objectives, areas, nodes and report
# sections): shown only to the role that changes them, the Amministratore; for everyone else they
# are noise («Ordine: 55»). Forms, fieldsets and lists of every admin ask ``campi_interni``.
CAMPI_INTERNI = {
    "obiettivi.obiettivo": ("ordine",),
    "obiettivi.area": ("ordine",),
    "obiettivi.nodostrategico": ("ordine",),
    "obiettivi.vocescheda": ("ordine",),
    "obiettivi.testoreport": ("ordine",),
    "obiettivi.tabellareport": ("ordine",),
}


def campi_interni(user, model) -> frozenset:
    """The internal fields of ``model`` hidden from ``user`` (none for an Amministratore)."""
    if is_amministratore(user):
        return frozenset()
    return frozenset(CAMPI_INTERNI.get(model._meta.label_lower, ()))


def _smvp_bloccato(obj):
    """An SMVP (or one of its scales and bands) used by a locked cycle is read-only."""
    from . import workflow

    smvp_id = getattr(obj, "smvp_id", None)
    if obj._meta.label_lower == "valutazione.smvp":
        smvp_id = obj.pk
    elif obj._meta.label_lower not in ("valutazione.livelloscala", "valutazione.fascia"):
        return False
    if smvp_id is None:
        return False
    from .models import Ciclo

    return Ciclo.objects.filter(smvp_id=smvp_id, stato__in=workflow.STATI_BLOCCATI).exists()


def puo_modificare(user, obj):
    campi = campi_modificabili(user, obj)
    return campi is TUTTI or bool(campi)


# Lookup from each area-scoped model to its Area, for dropdowns, filters and imports.
PERCORSI_AREA = {
    "obiettivi.area": "pk",
    "obiettivi.obiettivo": "area",
    "obiettivi.indicatore": "obiettivo__area",
    "obiettivi.fase": "obiettivo__area",
    "obiettivi.variazioneobiettivo": "obiettivo__area",
    "valutazione.standardbarometro": "area",
}


def scopa_scelte(user, queryset):
    """The choices of a dropdown or filter, limited to what ``user`` may see: the rows of their
    enti; for a dirigente also their areas, their objectives (indicators, phases, standards) and
    the cycles of their areas; users: those working for their enti, or for no ente yet (to be
    given a role); nothing else."""
    pieni = ids_enti_pieni(user)
    if pieni is None:
        return queryset
    etichetta = queryset.model._meta.label_lower
    if etichetta == "obiettivi.ciclo":
        condizione = Q(ente__in=sorted(pieni))
        if is_dirigente(user):
            condizione |= Q(pk__in=Area.objects.filter(pk__in=sorted(_ids_aree_dirette(user))).values("ciclo_id"))
        return queryset.filter(condizione)
    if etichetta == "individuale.persona":
        return persone_visibili(user, queryset)
    if etichetta == "individuale.schedavalutazione":
        return schede_visibili(user, queryset)
    if etichetta in PERCORSI_ENTE:
        return filtra_per_area(user, queryset, PERCORSI_AREA.get(etichetta))
    if queryset.model is _modello_utente():
        return utenti_scelti(user, queryset, pieni)
    return queryset if pieni else queryset.none()


def _modello_utente():
    from django.contrib.auth import get_user_model

    return get_user_model()


def utenti_scelti(user, queryset, pieni):
    """The users an Amministratore of ``pieni`` may pick (an area's dirigenti, a scheda's
    evaluator): those with an incarico or an area in those enti, the persons of those enti,
    and accounts not yet tied to any ente (created by the host to be given a role)."""
    if not pieni:
        return queryset.none()
    enti = sorted(pieni)
    legati = (Q(incarichi__isnull=False) | Q(aree_dirette__isnull=False) | Q(persone__isnull=False))
    condizione = (Q(incarichi__ente__in=enti) | Q(aree_dirette__ciclo__ente__in=enti)
                  | Q(persone__ente__in=enti))
    liberi = queryset.exclude(legati).values("pk")
    return queryset.filter(Q(pk__in=queryset.filter(condizione).values("pk")) | Q(pk__in=liberi))


def campi_importabili(user, obj):
    """An import row may change on an existing ``obj`` only what the page would let ``user``
    change (``TUTTI`` or a frozenset); a new row only an Amministratore may create, outside a
    locked cycle (ask ``campi_modificabili`` with the unsaved instance)."""
    return campi_modificabili(user, obj)


# --- the groups: defined here, once -------------------------------------------------------

# The Django model permissions of each role, which only open the admin pages (the rules by row
# are above). The Amministratore has every permission of the three apps of the plan, the Nucleo
# «view» on all of them; then each role's extras. ``ruoli_allinea`` makes the groups in the
# database exactly this, after every ``migrate`` (so a model added later reaches its roles).
APP_DEL_PIANO = ("obiettivi", "valutazione", "trasparenza")
PERMESSI_DIRIGENTE = (
    ("obiettivi", "view_obiettivo"), ("obiettivi", "change_obiettivo"),
    ("obiettivi", "view_indicatore"), ("obiettivi", "change_indicatore"),
    ("obiettivi", "view_fase"), ("obiettivi", "change_fase"),
    ("valutazione", "view_standardbarometro"), ("valutazione", "change_standardbarometro"),
)
PERMESSI_NUCLEO_EXTRA = (("obiettivi", "change_obiettivo"),)
PERMESSI_AMMINISTRATORE_EXTRA = (("auth", "view_user"),)  # to choose an area's dirigenti
# The documento di validazione of the Relazione: the Nucleo writes it, the Amministratore reads
# it, a dirigente has nothing (validazione.admin checks the roles by row: a signed one is
# read-only for everyone).
PERMESSI_VALIDAZIONE_NUCLEO = tuple(
    ("validazione", f"{azione}_documentovalidazione") for azione in ("view", "add", "change", "delete")
)
PERMESSI_VALIDAZIONE_AMMINISTRATORE = (("validazione", "view_documentovalidazione"),)


# Performance individuale (issue 16): the Amministratore (HR) has every permission of the app;
# whoever evaluates (dirigenti, the Nucleo for the dirigenti, the Sindaco or Segretario of the
# «Valutatore» group) views and changes the schede with their objectives and behaviour scores —
# which schede and which fields, by row and by state, is ``schede_visibili`` and
# ``campi_scheda_modificabili`` above. The Nucleo also reads the SMVP's individual rules and
# the funds. Persons (the personnel register) are HR's only.
APP_INDIVIDUALE = "individuale"
MODELLI_SCHEDA = ("schedavalutazione", "obiettivoindividuale", "punteggiocomportamento")
PERMESSI_VALUTA_SCHEDE = tuple(
    (APP_INDIVIDUALE, f"{azione}_{modello}") for modello in MODELLI_SCHEDA for azione in ("view", "change")
) + tuple((APP_INDIVIDUALE, f"{azione}_obiettivoindividuale") for azione in ("add", "delete"))
PERMESSI_NUCLEO_INDIVIDUALE = PERMESSI_VALUTA_SCHEDE + tuple(
    (APP_INDIVIDUALE, f"view_{modello}") for modello in (
        "grupporuolo", "comportamento", "livellocomportamento", "fasciapremio",
        "obiettivoobbligatorio", "fondopremi")
)


def permessi_dei_ruoli(disponibili) -> dict[str, frozenset]:
    """Each role's permissions among ``disponibili`` ((app_label, codename) pairs): the one
    definition of the groups, as plain data."""
    disponibili = set(disponibili)
    del_piano = {p for p in disponibili if p[0] in APP_DEL_PIANO}
    individuale = {p for p in disponibili if p[0] == APP_INDIVIDUALE}
    valuta = set(PERMESSI_VALUTA_SCHEDE) & disponibili
    return {
        AMMINISTRATORE: frozenset(del_piano | set(PERMESSI_AMMINISTRATORE_EXTRA) | individuale
                                  | (set(PERMESSI_VALIDAZIONE_AMMINISTRATORE) & disponibili)),
        NUCLEO: frozenset({p for p in del_piano if p[1].startswith("view_")}
                          | set(PERMESSI_NUCLEO_EXTRA)
                          | (set(PERMESSI_VALIDAZIONE_NUCLEO) & disponibili)
                          | (set(PERMESSI_NUCLEO_INDIVIDUALE) & disponibili)),
        DIRIGENTE: frozenset(set(PERMESSI_DIRIGENTE) | valuta),
        VALUTATORE: frozenset(valuta),
    }


def ruoli_allinea(*, using="default", **kwargs):
    """Make the four groups exactly ``permessi_dei_ruoli`` (created if missing; idempotent:
    a group already right is not written).

    Connected to ``post_migrate`` (``obiettivi.apps``): after ``migrate`` and after a database
    flush (``TransactionTestCase``, ``manage.py flush``), which empties the groups."""
    from django.apps import apps as registro
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for etichetta in ("auth", *APP_DEL_PIANO, "validazione", APP_INDIVIDUALE):
        create_permissions(registro.get_app_config(etichetta), verbosity=0, using=using)
    disponibili = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename")
    }
    for nome, coppie in permessi_dei_ruoli(disponibili).items():
        gruppo, _ = Group.objects.using(using).get_or_create(name=nome)
        voluti = {disponibili[c] for c in coppie}
        if set(gruppo.permissions.values_list("pk", flat=True)) != voluti:
            gruppo.permissions.set(voluti)
