"""Tree writes through ``obiettivi.services`` keep django-mptt's fields exactly as a full
``rebuild()`` would compute them from the parent links (property-based, with hypothesis).

A random sequence of upserts (create, rename/reorder, move, and moves into the node's own
subtree, which must raise ValidationError and change nothing) is applied to NodoStrategico and
to Area; after every step the tree fields are snapshotted, ``rebuild()`` is run, and the two
snapshots must be equal. ``tree_id`` is compared by rank: mptt may leave gaps in tree ids after a
root is moved, which is harmless; the order of the trees is not.
"""

from dataclasses import dataclass
from typing import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from obiettivi.models import Area, Ciclo, Ente, NodoStrategico
from obiettivi.services import area_upsert, nodo_upsert

CODICI = [f"N{i}" for i in range(6)]
# (codice, codice del nodo superiore o None, ordine)
OPERAZIONI = st.lists(
    st.tuples(st.sampled_from(CODICI), st.none() | st.sampled_from(CODICI), st.integers(0, 2)),
    max_size=14,
)
IMPOSTAZIONI = dict(
    deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Albero:
    model: type
    upsert: Callable


ALBERI = {
    "nodi": Albero(
        NodoStrategico,
        lambda ciclo, codice, parent, ordine: nodo_upsert(
            ciclo=ciclo, codice=codice, titolo=f"Nodo {codice}", livello_nome="livello",
            parent=parent, ordine=ordine),
    ),
    "aree": Albero(
        Area,
        lambda ciclo, codice, parent, ordine: area_upsert(
            ciclo=ciclo, codice=codice, nome=f"Area {codice}", slug=codice.lower(),
            parent=parent, ordine=ordine),
    ),
}


class _Annulla(Exception):
    """Raised at the end of an example to roll its writes back."""


def fotografia(model):
    righe = list(model.objects.values_list("codice", "parent__codice", "tree_id", "lft", "rght", "level"))
    rango = {t: i for i, t in enumerate(sorted({r[2] for r in righe}))}
    return sorted((c, p, rango[t], lft, rght, lv) for c, p, t, lft, rght, lv in righe)


def antenati(genitori: dict, codice):
    while codice is not None:
        yield codice
        codice = genitori.get(codice)


def controlla(model, genitori: dict):
    """mptt fields equal rebuild()'s; parents, levels and nesting are consistent."""
    nodi = {n.codice: n for n in model.objects.all()}
    assert {c: n.parent.codice if n.parent_id else None for c, n in nodi.items()} == genitori
    for n in nodi.values():
        if n.parent_id is None:
            assert (n.level, n.lft) == (0, 1)
        else:
            p = nodi[genitori[n.codice]]
            assert n.level == p.level + 1 and n.tree_id == p.tree_id
            assert p.lft < n.lft < n.rght < p.rght
    prima = fotografia(model)
    model.objects.rebuild()
    assert fotografia(model) == prima


def applica(albero: Albero, operazioni, *, sposta: bool):
    """Apply ``operazioni``; with ``sposta=False`` an existing node keeps its parent."""
    try:
        with transaction.atomic():
            ente = Ente.objects.create(slug="albero", nome="Comune di Prova")
            ciclo = Ciclo.objects.create(ente=ente, anno=2021)
            genitori = {}
            for codice, codice_padre, ordine in operazioni:
                if codice_padre not in genitori:
                    codice_padre = None  # a parent that does not exist yet: a root
                if codice in genitori and not sposta:
                    codice_padre = genitori[codice]
                parent = albero.model.objects.filter(codice=codice_padre).first()
                ciclico = codice in genitori and codice in antenati(genitori, codice_padre)
                if ciclico:
                    prima = fotografia(albero.model)
                    with pytest.raises(ValidationError):
                        albero.upsert(ciclo, codice, parent, ordine)
                    assert fotografia(albero.model) == prima
                else:
                    albero.upsert(ciclo, codice, parent, ordine)
                    genitori[codice] = codice_padre
                controlla(albero.model, genitori)
            raise _Annulla
    except _Annulla:
        pass


@pytest.mark.django_db
@pytest.mark.parametrize("tipo", sorted(ALBERI))
@hsettings(max_examples=40, **IMPOSTAZIONI)
@given(operazioni=OPERAZIONI)
def test_creazioni_e_riordini_mantengono_mptt_coerente(tipo, operazioni):
    applica(ALBERI[tipo], operazioni, sposta=False)


@pytest.mark.django_db
@pytest.mark.parametrize("tipo", sorted(ALBERI))
@hsettings(max_examples=40, **IMPOSTAZIONI)
@given(
    catena=st.permutations(CODICI),
    quale=st.integers(0, len(CODICI) - 1),
    sotto=st.integers(0, len(CODICI) - 1),
)
def test_spostare_un_nodo_nel_proprio_sottoalbero_e_rifiutato(tipo, catena, quale, sotto):
    """Build the chain N_a → N_b → …, then move one node under itself or a descendant."""
    quale, sotto = min(quale, sotto), max(quale, sotto)
    operazioni = [(c, catena[i - 1] if i else None, 0) for i, c in enumerate(catena)]
    operazioni.append((catena[quale], catena[sotto], 0))
    applica(ALBERI[tipo], operazioni, sposta=True)


@pytest.mark.django_db
@pytest.mark.parametrize("tipo", sorted(ALBERI))
@hsettings(max_examples=40, **IMPOSTAZIONI)
@given(operazioni=OPERAZIONI)
@example(operazioni=[("N1", None, 0), ("N0", "N1", 0), ("N0", None, 0)])
@example(operazioni=[("N0", None, 0), ("N1", None, 0), ("N2", "N0", 0), ("N1", "N0", 0)])
def test_spostamenti_mantengono_mptt_coerente(tipo, operazioni):
    applica(ALBERI[tipo], operazioni, sposta=True)
