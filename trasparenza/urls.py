from django.urls import path

from . import views

app_name = "trasparenza"

urlpatterns = [
    path("", views.home, name="home"),
]
