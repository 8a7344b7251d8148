"""The pages of performance individuale outside the admin: the process's action (posted from the
admin's change page of a scheda or from the person's own page) and the person's own pages
(login, «Le mie schede», one scheda). Private: login required, never cached, never indexed."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from obiettivi import permessi
from seregno_perf import formati

from . import processo, queries
from .models import LivelloComportamento, PunteggioComportamento, SchedaValutazione

ACCEDI = "individuale:accedi"
# A page may send the user back only to these (the admin's scheda or the person's pages).
RITORNI_AMMESSI = settings.PREFISSI_CON_MODULI


def privata(vista):
    """Personal data: never kept by a browser or a proxy, never indexed."""
    @wraps(vista)
    def avvolta(request, *args, **kwargs):
        risposta = vista(request, *args, **kwargs)
        patch_cache_control(risposta, private=True, no_store=True, max_age=0)
        risposta["X-Robots-Tag"] = "noindex, nofollow"
        return risposta
    return avvolta


# --- login ------------------------------------------------------------------------------------

class ModuloAccesso(AuthenticationForm):
    """Django's login form (django-axes sees every attempt through ``authenticate``), in Italian."""

    error_messages = {
        "invalid_login": "Nome utente o password non corretti. Attenzione: maiuscole e minuscole "
                         "sono distinte.",
        "inactive": "Questo utente è disattivato.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Nome utente"
        self.fields["password"].label = "Password"


class Accedi(auth_views.LoginView):
    template_name = "individuale/accedi.html"
    authentication_form = ModuloAccesso
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("individuale:le_mie_schede")


accedi = privata(Accedi.as_view())
esci = privata(auth_views.LogoutView.as_view(next_page=ACCEDI))


# --- the process's action -----------------------------------------------------------------------

def _leggi_dati(post, azione: processo.Azione) -> tuple[dict, list[str]]:
    """The action's inputs typed the Italian way (dates gg/mm/aaaa, numbers 12,5)."""
    dati, errori = {}, []
    for campo in azione.campi:
        valore = post.get(campo.nome, "")
        if campo.tipo == "data":
            try:
                dati[campo.nome] = formati.leggi_data(valore)
            except formati.DataNonValida as errore:
                errori.append(f"{campo.etichetta}: {errore}")
        elif campo.tipo == "numero":
            try:
                dati[campo.nome] = formati.leggi_numero(valore)
            except formati.NumeroNonValido as errore:
                errori.append(f"{campo.etichetta}: {errore}")
        else:
            dati[campo.nome] = valore
    return dati, errori


def _ritorno(request, scheda) -> str:
    """Where the action came from (a safe local path), else the scheda's page for this user."""
    torna = request.POST.get("torna", "")
    if (torna.startswith(RITORNI_AMMESSI) and url_has_allowed_host_and_scheme(
            torna, allowed_hosts={request.get_host()}, require_https=request.is_secure())):
        return torna
    if permessi.e_valutato(request.user, scheda):
        return reverse("individuale:scheda", args=[scheda.pk])
    try:
        return reverse("admin:individuale_schedavalutazione_change", args=[scheda.pk])
    except NoReverseMatch:
        return reverse("individuale:le_mie_schede")


@privata
@login_required(login_url=ACCEDI)
@require_POST
def azione_scheda(request, pk, azione):
    """Apply one action of the process (``individuale.processo.esegui``) and go back with an
    Italian message. 404 for a scheda the user may not see or an unknown action."""
    scheda = get_object_or_404(
        permessi.schede_visibili(request.user, SchedaValutazione.objects.select_related("persona")),
        pk=pk)
    if azione not in processo.AZIONI:
        raise Http404("Azione sconosciuta.")
    dati, errori = _leggi_dati(request.POST, processo.AZIONI[azione])
    if not errori:
        try:
            scheda = processo.esegui(scheda, azione, request.user, **dati)
        except processo.ErroreProcesso as errore:
            errori = errore.messages
    if errori:
        for messaggio in errori:
            messages.error(request, messaggio)
    else:
        messages.success(request, f"Fatto: «{processo.AZIONI[azione].etichetta}». La scheda è ora "
                                  f"«{SchedaValutazione.Stato(scheda.stato).label}».")
    return redirect(_ritorno(request, scheda))


# --- the person's own pages -------------------------------------------------------------------

def _proprie(user):
    """The schede of ``user`` as the person evaluated (and only those)."""
    return permessi.schede_visibili(user, SchedaValutazione.objects.filter(persona__utente=user))


@privata
@login_required(login_url=ACCEDI)
def le_mie_schede(request):
    schede = list(_proprie(request.user).select_related("ciclo__ente", "persona", "gruppo", "area")
                  .order_by("-ciclo__anno", "ciclo__ente__nome"))
    for scheda in schede:  # what waits for the person (no query: the rows above are enough)
        scheda.da_fare = processo.azioni_possibili(scheda, request.user)
    return render(request, "individuale/le_mie_schede.html", {"schede": schede})


@privata
@login_required(login_url=ACCEDI)
def scheda_personale(request, pk):
    scheda = get_object_or_404(
        _proprie(request.user).select_related(
            "ciclo__ente", "persona", "gruppo", "area", "valutatore").prefetch_related(
            "obiettivi",
            Prefetch("comportamenti", PunteggioComportamento.objects.select_related("comportamento"))),
        pk=pk)
    return render(request, "individuale/scheda.html", contesto_scheda(request, scheda))


def contesto_scheda(request, scheda, *, oggi=None) -> dict:
    """What the person's page of ``scheda`` shows (scores only where ``permessi.vede_punteggi``)."""
    oggi = oggi or timezone.localdate()
    utente = request.user
    vede_punteggi = permessi.vede_punteggi(utente, scheda)
    livelli = {}
    risultato = None
    if vede_punteggi:
        livelli = dict(LivelloComportamento.objects.filter(smvp_id=scheda.gruppo.smvp_id)
                       .values_list("valore", "etichetta"))
        risultato = queries.risultato_scheda(scheda)
    scadenza = None
    if scheda.stato == SchedaValutazione.Stato.PRESA_VISIONE:
        giorno = processo.scadenza_conciliazione(scheda.data_valutazione,
                                                 scheda.gruppo.giorni_conciliazione)
        if giorno is not None:
            scadenza = {"data": giorno, "quanto": formati.giorni_alla_scadenza(giorno, oggi),
                        "scaduta": oggi > giorno}
    comportamenti = [
        {"nome": p.comportamento.nome, "descrizione": p.comportamento.descrizione,
         "livello": p.livello, "etichetta": livelli.get(p.livello, ""), "commento": p.commento}
        for p in scheda.comportamenti.all()
    ]
    return {
        "scheda": scheda,
        "ente": scheda.ciclo.ente,
        "vede_punteggi": vede_punteggi,
        "risultato": risultato,
        "obiettivi": list(scheda.obiettivi.all()),
        "comportamenti": comportamenti,
        "cronologia": processo.cronologia(scheda),
        "azioni": processo.azioni_possibili(scheda, utente, oggi=oggi),
        "scadenza": scadenza,
        "torna": request.path,
    }
