from django.urls import path

from validazione import views as validazione

from . import views

app_name = "trasparenza"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:ente>/", views.ente_relazioni, name="ente"),
    path("<slug:ente>/<int:anno>/", views.relazione, name="relazione"),
    path("<slug:ente>/<int:anno>/relazione.pdf", views.relazione_pdf, name="relazione_pdf"),
    path("<slug:ente>/<int:anno>/dati.json", views.dati_json, name="dati_json"),
    # the Nucleo's signed documento di validazione (404 until one is signed)
    path("<slug:ente>/<int:anno>/validazione/", validazione.documento_pubblico, name="validazione"),
    path("<slug:ente>/<int:anno>/validazione.pdf", validazione.documento_pubblico_pdf,
         name="validazione_pdf"),
    path("<slug:ente>/<int:anno>/dati.csv", views.dati_csv, name="dati_csv"),
    path("<slug:ente>/<int:anno>/dati-rfc4180.csv", views.dati_csv_rfc4180, name="dati_csv_rfc4180"),
    path("<slug:ente>/<int:anno>/dati.ods", views.dati_ods, name="dati_ods"),
    path("<slug:ente>/<int:anno>/versioni/<int:versione>/", views.relazione_versione,
         name="relazione_versione"),
    path("<slug:ente>/<int:anno>/versioni/<int:versione>/relazione.pdf", views.relazione_pdf,
         name="relazione_versione_pdf"),
    path("<slug:ente>/<int:anno>/versioni/<int:versione>/dati.json", views.dati_json,
         name="dati_versione_json"),
    path("<slug:ente>/<int:anno>/versioni/<int:versione>/dati.csv", views.dati_csv,
         name="dati_versione_csv"),
    path("<slug:ente>/<int:anno>/versioni/<int:versione>/dati-rfc4180.csv", views.dati_csv_rfc4180,
         name="dati_versione_csv_rfc4180"),
    path("<slug:ente>/<int:anno>/versioni/<int:versione>/dati.ods", views.dati_ods,
         name="dati_versione_ods"),
    path("<slug:ente>/<int:anno>/obiettivi/", views.obiettivi, name="obiettivi"),
    # the bonuses' aggregates (art. 20 D.Lgs. 33/2013)
    path("<slug:ente>/<int:anno>/premi/", views.premi, name="premi"),
    path("<slug:ente>/<int:anno>/esiti/<slug:esito>/", views.esito, name="esito"),
    path("<slug:ente>/<int:anno>/obiettivi/<str:codice>/", views.obiettivo, name="obiettivo"),
    path("<slug:ente>/<int:anno>/linee/<str:codice>/", views.linea, name="linea"),
    path("<slug:ente>/<int:anno>/aree/<slug:slug>/", views.area, name="area"),
]
