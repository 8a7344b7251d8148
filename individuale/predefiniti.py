"""The SMVP's default rules for individual performance, in one place.

A new SMVP is pre-filled with these on its admin page (``individuale.admin``), and the demo
(``individuale.demo``) writes them with ``individuale.servizi.regole_predefinite_crea``. They are
defaults, not rules in code: once saved they are SMVP data, and the ente changes them there.

Plain data: every weight and band is a string read as ``Decimal`` by whoever writes it.

* Role groups and their weights (each group's five weights sum to 100).
* The behaviours' dictionary, each with the groups it applies to, and its 1–5 scale.
* The bonus bands: final score [da, a) → quota % of the bonus (``a`` None: up to 100 included).
* The mandatory objectives the law adds: the timeliness of payments for dirigenti (DL 13/2023
  art. 4-bis) and 40 hours of training for everyone (Direttiva del Ministro per la PA
  14 gennaio 2025).

**Timeliness of payments.** DL 13/2023 art. 4-bis asks that it weigh at least 30 % of the
dirigente's result pay. With the default dirigente weights (individual objectives 20 % of the
total) 30 % *of the total* cannot be reached by one individual objective, so the default reads
the minimum as 30 % **of the individual-objectives component** (``base_peso = "obiettivi"``);
an ente applying the 30 % to the whole pay raises the group's ``peso_obiettivi`` to at least 30
and sets ``base_peso`` to ``"totale"`` (docs/performance-individuale.md, section «admin»).
"""

DIRIGENTE = "dirigente"
ELEVATA_QUALIFICAZIONE = "eq"
DIPENDENTE = "dipendente"

# codice, nome, ordine, weights (ente, area, obiettivi, comportamenti, differenziazione),
# valutatore, nucleo_vede, parametro
GRUPPI = [
    {
        "codice": DIRIGENTE, "nome": "Dirigenti", "ordine": 1,
        "peso_ente": "20", "peso_area": "30", "peso_obiettivi": "20",
        "peso_comportamenti": "20", "peso_differenziazione": "10",
        "valutatore": "sindaco", "nucleo_vede": True, "parametro": "1",
    },
    {
        "codice": ELEVATA_QUALIFICAZIONE, "nome": "Elevate qualificazioni", "ordine": 2,
        "peso_ente": "10", "peso_area": "30", "peso_obiettivi": "30",
        "peso_comportamenti": "30", "peso_differenziazione": "0",
        "valutatore": "dirigente_area", "nucleo_vede": False, "parametro": "1",
    },
    {
        "codice": DIPENDENTE, "nome": "Dipendenti", "ordine": 3,
        "peso_ente": "10", "peso_area": "30", "peso_obiettivi": "20",
        "peso_comportamenti": "40", "peso_differenziazione": "0",
        "valutatore": "dirigente_area", "nucleo_vede": False, "parametro": "1",
    },
]

TUTTI_I_GRUPPI = tuple(g["codice"] for g in GRUPPI)

# The behaviours' scale (valore, etichetta).
SCALA_COMPORTAMENTI = [
    (1, "Inadeguato"),
    (2, "Parzialmente adeguato"),
    (3, "Adeguato"),
    (4, "Più che adeguato"),
    (5, "Eccellente"),
]

# The behaviours' dictionary: codice, nome, descrizione, gruppi.
COMPORTAMENTI = [
    {
        "codice": "C1", "nome": "Orientamento al risultato",
        "descrizione": "Porta a termine i compiti nei tempi e con la qualità attesi.",
        "gruppi": TUTTI_I_GRUPPI,
    },
    {
        "codice": "C2", "nome": "Collaborazione e lavoro di gruppo",
        "descrizione": "Condivide informazioni e sostiene i colleghi e gli altri uffici.",
        "gruppi": TUTTI_I_GRUPPI,
    },
    {
        "codice": "C3", "nome": "Orientamento all'utenza",
        "descrizione": "Ascolta cittadini e imprese e risponde con chiarezza e cortesia.",
        "gruppi": TUTTI_I_GRUPPI,
    },
    {
        "codice": "C4", "nome": "Innovazione e semplificazione",
        "descrizione": "Propone e realizza miglioramenti di procedure e servizi.",
        "gruppi": (DIRIGENTE, ELEVATA_QUALIFICAZIONE),
    },
    {
        "codice": "C5", "nome": "Guida e sviluppo dei collaboratori",
        "descrizione": "Organizza il lavoro, delega, dà riscontri e cura la formazione del personale.",
        "gruppi": (DIRIGENTE, ELEVATA_QUALIFICAZIONE),
    },
]

# Bonus bands: (da, a, quota) — final score from da (included) to a (excluded) → quota %.
FASCE_PREMIO = [
    ("0", "60", "0"),
    ("60", "70", "60"),
    ("70", "80", "75"),
    ("80", "90", "90"),
    ("90", None, "100"),
]

# Mandatory objectives: codice, descrizione, riferimento, gruppi, peso_minimo, base_peso.
OBIETTIVI_OBBLIGATORI = [
    {
        "codice": "TEMPESTIVITA-PAGAMENTI",
        "descrizione": "Rispetto dei tempi di pagamento delle transazioni commerciali "
                       "(indicatore di tempestività dei pagamenti e debito commerciale residuo).",
        "riferimento": "DL 24 febbraio 2023, n. 13, art. 4-bis",
        "gruppi": (DIRIGENTE,),
        "peso_minimo": "30",
        "base_peso": "obiettivi",
    },
    {
        "codice": "FORMAZIONE-40-ORE",
        "descrizione": "Almeno 40 ore di formazione nell'anno.",
        "riferimento": "Direttiva del Ministro per la pubblica amministrazione 14 gennaio 2025",
        "gruppi": TUTTI_I_GRUPPI,
        "peso_minimo": "10",
        "base_peso": "obiettivi",
    },
]
