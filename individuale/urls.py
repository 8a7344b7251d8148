"""/valutazione-individuale/: the person's own pages and the process's action (private pages:
login required, never cached, never indexed)."""

from django.urls import path

from . import views

app_name = "individuale"

urlpatterns = [
    path("", views.le_mie_schede, name="le_mie_schede"),
    path("accedi/", views.accedi, name="accedi"),
    path("esci/", views.esci, name="esci"),
    path("schede/<int:pk>/", views.scheda_personale, name="scheda"),
    path("schede/<int:pk>/azioni/<slug:azione>/", views.azione_scheda, name="azione"),
]
