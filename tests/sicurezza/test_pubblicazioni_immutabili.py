"""Published snapshots are never changed or deleted: not by the model, not by a queryset, not
from the admin; publishing again adds a version and leaves the earlier file byte for byte."""

import hashlib

import pytest
from django.urls import reverse

from obiettivi.models import Ciclo, Obiettivo
from obiettivi.synthetic import genera_ciclo
from obiettivi.workflow import ciclo_pubblica
from trasparenza.models import Pubblicazione, PubblicazioneImmutabile

pytestmark = pytest.mark.django_db


@pytest.fixture
def pubblicazione():
    from obiettivi.models import Ente

    ciclo = Ciclo.objects.create(ente=Ente.objects.create(slug="e", nome="Comune E"), anno=2021)
    return Pubblicazione.objects.create(
        ciclo=ciclo, versione=1, impronta="a" * 64, dati={"x": 1}, html="<p>pubblicata</p>"
    )


def _intatta(pub):
    riletta = Pubblicazione.objects.get(pk=pub.pk)
    assert (riletta.html, riletta.dati, riletta.impronta) == ("<p>pubblicata</p>", {"x": 1}, "a" * 64)


def test_save_of_an_existing_row_raises(pubblicazione):
    pubblicazione.html = "<p>ritoccata</p>"
    with pytest.raises(PubblicazioneImmutabile, match="pubblicare una nuova versione"):
        pubblicazione.save()
    with pytest.raises(PubblicazioneImmutabile):
        pubblicazione.save(update_fields=["html"])
    _intatta(pubblicazione)


def test_delete_of_a_row_raises(pubblicazione):
    with pytest.raises(PubblicazioneImmutabile, match="eliminare"):
        pubblicazione.delete()
    _intatta(pubblicazione)


@pytest.mark.parametrize(
    "azione",
    [
        lambda qs: qs.update(html="<p>ritoccata</p>"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["html"]),
        lambda qs: qs.update_or_create(pk=qs.get().pk, defaults={"html": "x"}),
        lambda qs: qs.get().ciclo.pubblicazioni.all().update(nota="x"),
        lambda qs: qs.get().ciclo.pubblicazioni.all().delete(),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create", "related-update", "related-delete"],
)
def test_queryset_writes_are_refused(pubblicazione, azione):
    with pytest.raises(PubblicazioneImmutabile):
        azione(Pubblicazione.objects.filter(pk=pubblicazione.pk))
    _intatta(pubblicazione)


def test_admin_refuses_change_and_delete(admin_client, pubblicazione):
    change = reverse("admin:trasparenza_pubblicazione_change", args=[pubblicazione.pk])
    delete = reverse("admin:trasparenza_pubblicazione_delete", args=[pubblicazione.pk])
    assert admin_client.post(change, {"nota": "ritoccata", "versione": "9"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    elenco = reverse("admin:trasparenza_pubblicazione_changelist")
    risposta = admin_client.post(
        elenco, {"action": "delete_selected", "_selected_action": [pubblicazione.pk], "post": "yes"}
    )
    assert risposta.status_code in (200, 302)
    _intatta(pubblicazione)
    # the cycle it belongs to cannot be deleted either (PROTECT)
    ciclo_delete = reverse("admin:obiettivi_ciclo_delete", args=[pubblicazione.ciclo_id])
    admin_client.post(ciclo_delete, {"post": "yes"})
    assert Ciclo.objects.filter(pk=pubblicazione.ciclo_id).exists()


def test_publishing_again_keeps_the_earlier_version_and_its_pdf(monkeypatch):
    # The PDF's content is not the point here: a fast stand-in, different for each version.
    monkeypatch.setattr(
        "trasparenza.services.render_pdf", lambda dati, **k: b"%PDF-1.7 " + dati["impronta"].encode()
    )
    ciclo = genera_ciclo(ente_slug="immutabile", anno=2030, n_obiettivi=4, seme=5)
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.APPROVATA)  # publishable
    prima = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
    percorso = prima.pdf.path
    with open(percorso, "rb") as fh:
        byte_prima = fh.read()
    assert hashlib.sha256(byte_prima).hexdigest() == prima.pdf_sha256
    Obiettivo.objects.filter(pk=Obiettivo.objects.filter(ciclo=ciclo).first().pk).update(
        titolo="Titolo cambiato dopo la pubblicazione"
    )
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.APPROVATA)  # approved again
    seconda = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
    assert seconda.versione == 2 and seconda.pdf.path != percorso
    riletta = Pubblicazione.objects.get(pk=prima.pk)
    assert (riletta.impronta, riletta.html, riletta.dati) == (prima.impronta, prima.html, prima.dati)
    with open(percorso, "rb") as fh:
        assert fh.read() == byte_prima
