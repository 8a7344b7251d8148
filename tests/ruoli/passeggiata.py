"""Walk every admin page a user can reach and read it as a person (or a screen reader) would.

Used by ``tests/ruoli/test_admin_italiano.py``. The pages are discovered, not listed: the admin
index and password page, each app's index, and for every registered ``ModelAdmin`` its list, its
add page, the change, history, delete pages of one object the user sees (and one version of its
django-simple-history history), and every custom URL of its ``get_urls`` that takes no argument
or one object id (``<int:ciclo_id>`` → a Ciclo the user sees; ``<object_id>`` → the admin's own
model). A page added by anyone tomorrow is walked without touching this file.

``leggi_pagina`` keeps what is read: text nodes, the visible attributes (``title``, ``alt``,
``placeholder``, ``aria-label``, the value of buttons, the inlines' «add another» text that Django's
JavaScript writes) and screen-reader-only text (``visually-hidden``), but not scripts, styles,
hidden inputs or other attribute values.
"""

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory
from django.urls import NoReverseMatch, URLPattern, reverse

# --- what must not be read -------------------------------------------------------------------

# English words of Django, django-axes, django-simple-history, django-mptt and
# django-import-export that leaked into Italian pages (whole words, case-sensitive where a
# capitalised English word could be an Italian one in lower case).
PAROLE_INGLESI = [
    "Access", "access", "attempt", "attempts", "History", "history", "Add", "Change", "changed",
    "Delete", "Deleted", "Save", "Select", "selected", "Filter", "Search", "MODEL NAME",
    "ADD LINK", "Remove", "Choose", "Revert", "Object", "Date/time", "Comment", "Changed by",
    "Change reason", "Log out", "View site", "Welcome", "Recent actions", "My actions",
    "None available", "Show all", "Clear all filters", "Yes", "Unknown", "Today", "Now",
    "Go", "Action", "Run", "results", "total", "Locked Out", "Failed", "Logout",
    "Username", "User Agent", "Path", "Expires", "Not set", "Import", "Export", "Format",
    "Submit", "Confirm", "Cancel", "Close", "Previous", "Next", "Page", "of", "the", "and",
    "was", "were", "successfully", "Please", "correct", "error", "errors", "Show", "Hide",
    "Superuser", "Groups", "Permissions", "Users", "Available",
    "Chosen", "field", "Required", "required", "Currently", "Clear", "Expand", "Collapse",
    "Breadcrumbs", "Sidebar", "Can", "Raw", "Whether", "Enabled", "Disabled", "entries",
    "None", "True", "False", "chars", "Created",
]
RE_INGLESE = re.compile(r"(?<![\w'’])(" + "|".join(re.escape(p) for p in PAROLE_INGLESI) + r")(?![\w'’])")

MESI = ["Gennaio", "Febbraio", "Marzo", "Aprile", "Maggio", "Giugno", "Luglio", "Agosto",
        "Settembre", "Ottobre", "Novembre", "Dicembre"]
GIORNI = ["Lunedì", "Martedì", "Mercoledì", "Giovedì", "Venerdì", "Sabato", "Domenica"]
# A capitalised month (or weekday) after a digit, a lower-case word or a comma: mid-sentence.
RE_MESE_MAIUSCOLO = re.compile(
    r"(?:[0-9a-zàèéìòù,;(]\s+)(" + "|".join(MESI + GIORNI) + r")\b"
)
# Nouns of the project and of Django's admin that are feminine: «un altro» before them is wrong.
FEMMINILI = [
    "fase", "fasi", "area", "aree", "pubblicazione", "scala", "fascia", "voce", "variazione",
    "riapertura", "risposta", "tabella", "azione", "linea", "scheda", "versione", "modifica",
    "relazione", "tipologia", "missione", "unità", "sezione", "domanda", "data", "persona",
    "motivazione", "rendicontazione", "validazione", "pianificazione", "approvazione", "nota",
]
ERRORI_GRAMMATICALI = [
    # The index's screen-reader-only table headers, whatever their case.
    (re.compile(r"\b(model name|add link|change or view list link)\b", re.IGNORECASE),
     "intestazione inglese per gli screen reader"),
    # Django's Italian «Il {name} …» before a vowel: «Il obiettivo».
    (re.compile(r"\bIl [aeiouAEIOU]\w*"), "articolo «Il» davanti a vocale"),
    (re.compile(r"\bil [aeiou]\w*"), "articolo «il» davanti a vocale"),
    (re.compile(r"\bun altro (?:" + "|".join(FEMMINILI) + r")\b", re.IGNORECASE),
     "«un altro» davanti a un nome femminile"),
    (re.compile(r"\bun (?:" + "|".join(FEMMINILI) + r")\b"), "«un» davanti a un nome femminile"),
    (re.compile(r"\w/[ae]\b"), "desinenza doppia («Cancellati/e»)"),
    (re.compile(r"\bper visualizzarlo\b"), "«per visualizzarlo» senza il suo nome"),
    (re.compile(r"\bVista [a-zàèéìòù]"), "«Vista» per «Visualizza»"),
    (re.compile(r"\bStoria\b|\bSTORIA\b|\bTracciato delle modifiche\b"), "«Cronologia» nel vocabolario"),
    (re.compile(r"\bseregno_perf\b"), "il nome tecnico del progetto"),
    (re.compile(r"\bBenvenut[oa]\b"), "un saluto al maschile o al femminile"),
    (re.compile(r"\b(sono sicur[oa]|Sicur[oa] di voler)\b"), "chi legge, al maschile o al femminile"),
    (re.compile(r"\bdell'elemento \w+ selezionato\b"), "«dell'elemento … selezionato» anche per più elementi"),
]


def problemi(testo: str) -> list[str]:
    """Every English word, capitalised mid-sentence month and grammar slip found in ``testo``."""
    trovati = [f"parola inglese «{m.group(1)}»" for m in RE_INGLESE.finditer(testo)]
    trovati += [f"mese o giorno maiuscolo «{m.group(1)}»" for m in RE_MESE_MAIUSCOLO.finditer(testo)]
    for regola, descrizione in ERRORI_GRAMMATICALI:
        trovati += [f"{descrizione}: «{m.group(0)}»" for m in regola.finditer(testo)]
    return trovati


# --- what is read ----------------------------------------------------------------------------

ATTRIBUTI_LETTI = ("title", "alt", "placeholder", "aria-label")
NON_LETTI = {"script", "style", "template", "noscript"}
VUOTI = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Lettore(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pezzi: list[str] = []
        self.dentro_non_letto = 0

    def handle_starttag(self, tag, attrs):
        attributi = dict(attrs)
        if tag in NON_LETTI:
            self.dentro_non_letto += 1
            return
        if self.dentro_non_letto:
            return
        if tag == "input" and (attributi.get("type") or "").lower() == "hidden":
            return
        for nome in ATTRIBUTI_LETTI:
            if attributi.get(nome):
                self.pezzi.append(attributi[nome])
        if attributi.get("data-inline-formset"):
            # The inline's «add another» link and «remove» label, written by Django's JavaScript.
            opzioni = json.loads(attributi["data-inline-formset"]).get("options", {})
            self.pezzi += ["\n", opzioni.get("addText", ""), "\n", opzioni.get("deleteText", ""), "\n"]
        if tag == "input" and (attributi.get("type") or "").lower() in {"submit", "button", "reset"}:
            self.pezzi.append(attributi.get("value") or "")
        if tag not in VUOTI:
            self.pezzi.append("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in NON_LETTI:
            self.dentro_non_letto -= 1

    def handle_endtag(self, tag):
        if tag in NON_LETTI:
            self.dentro_non_letto = max(0, self.dentro_non_letto - 1)
        elif not self.dentro_non_letto:
            self.pezzi.append("\n")

    def handle_data(self, data):
        if not self.dentro_non_letto:
            self.pezzi.append(data)


def leggi_pagina(html: str) -> str:
    """What a person or a screen reader reads on the page, one line per element."""
    lettore = _Lettore()
    lettore.feed(html)
    lettore.close()
    righe = (" ".join(riga.split()) for riga in "".join(lettore.pezzi).split("\n"))
    return "\n".join(riga for riga in righe if riga)


# --- which pages ------------------------------------------------------------------------------

SUFFISSI_STANDARD = ("_changelist", "_add", "_change", "_delete", "_history", "_simple_history")


@dataclass(frozen=True)
class Pagina:
    descrizione: str
    url: str


def _oggetto_visibile(site: AdminSite, request, modello):
    model_admin = site._registry.get(modello)
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        return None
    return model_admin.get_queryset(request).order_by("pk").first()


def _modello_per_argomento(site: AdminSite, nome: str, proprio):
    """``ciclo_id`` → Ciclo (a registered model named like the argument); ``object_id``,
    ``pk``, ``id`` → the admin's own model."""
    if nome in {"object_id", "pk", "id"}:
        return proprio
    radice = re.sub(r"_(id|pk)$", "", nome)
    return next((m for m in site._registry if m._meta.model_name == radice), None)


def _pagine_personalizzate(site, request, model_admin, oggetto):
    pagine = []
    standard = tuple(
        f"{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}{s}"
        for s in SUFFISSI_STANDARD
    )
    for schema in model_admin.get_urls():
        if not isinstance(schema, URLPattern) or not schema.name or schema.name.endswith(standard):
            continue
        convertitori = schema.pattern.converters
        if not convertitori:
            argomenti = []
        elif len(convertitori) == 1:
            (nome, convertitore), = convertitori.items()
            if convertitore.regex != "[0-9]+":
                continue  # a file name or a slug: not an object's page
            modello = _modello_per_argomento(site, nome, model_admin.model)
            bersaglio = oggetto if modello is model_admin.model else (
                _oggetto_visibile(site, request, modello) if modello else None)
            if bersaglio is None:
                continue
            argomenti = [bersaglio.pk]
        else:
            continue
        try:
            url = reverse(f"{site.name}:{schema.name}", args=argomenti)
        except NoReverseMatch:
            continue
        pagine.append(Pagina(f"{schema.name}", url))
    return pagine


def pagine_admin(user, site: AdminSite = admin.site) -> list[Pagina]:
    """Every admin page ``user`` may open, discovered from ``site``'s registry."""
    request = RequestFactory().get(f"/{site.name}/")
    request.user = user
    nome = site.name
    pagine = [Pagina("indice", reverse(f"{nome}:index")),
              Pagina("cambio password", reverse(f"{nome}:password_change"))]
    app_viste = set()
    for modello, model_admin in site._registry.items():
        opts = modello._meta
        if not model_admin.has_view_or_change_permission(request):
            # Its own views may still be open to the role (a dirigente imports the PEG).
            pagine += _pagine_personalizzate(site, request, model_admin, None)
            continue
        app_viste.add(opts.app_label)
        info = f"{nome}:{opts.app_label}_{opts.model_name}"
        pagine.append(Pagina(f"{opts.label} elenco", reverse(f"{info}_changelist")))
        if model_admin.has_add_permission(request):
            pagine.append(Pagina(f"{opts.label} aggiunta", reverse(f"{info}_add")))
        oggetto = model_admin.get_queryset(request).order_by("pk").first()
        if oggetto is not None:
            pagine.append(Pagina(f"{opts.label} {oggetto.pk}", reverse(f"{info}_change", args=[oggetto.pk])))
            pagine.append(Pagina(f"{opts.label} {oggetto.pk} cronologia",
                                 reverse(f"{info}_history", args=[oggetto.pk])))
            if model_admin.has_delete_permission(request, oggetto):
                pagine.append(Pagina(f"{opts.label} {oggetto.pk} eliminazione",
                                     reverse(f"{info}_delete", args=[oggetto.pk])))
            storico = getattr(oggetto, "history", None)
            versione = storico.order_by("history_id").first() if storico is not None else None
            if versione is not None:
                try:
                    url = reverse(f"{info}_simple_history", args=[oggetto.pk, versione.history_id])
                except NoReverseMatch:
                    url = None
                if url:
                    pagine.append(Pagina(f"{opts.label} {oggetto.pk} versione", url))
        pagine += _pagine_personalizzate(site, request, model_admin, oggetto)
    pagine += [Pagina(f"app {a}", reverse(f"{nome}:app_list", args=[a])) for a in sorted(app_viste)]
    pagine += _pagine_fuori_dal_registro(user)
    return pagine


def _pagine_fuori_dal_registro(user) -> list[Pagina]:
    """Admin-looking pages mounted outside the registry (seregno_perf/urls.py): the Nucleo's
    verifiche of every cycle the user may check."""
    from obiettivi.models import Ciclo
    from validazione.views import puo_vedere_verifiche

    if not puo_vedere_verifiche(user):
        return []
    return [Pagina(f"verifiche {c.pk}", reverse("validazione:verifiche", args=[c.pk]))
            for c in Ciclo.objects.order_by("pk")]
