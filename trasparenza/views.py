from django.shortcuts import render

from obiettivi.models import Ente


def home(request):
    enti = Ente.objects.order_by("nome")
    return render(request, "trasparenza/home.html", {"enti": enti})
