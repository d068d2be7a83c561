"""Views of rounds: stations. Each module owns its urlpatterns; rounds/urls.py joins them."""

from django.http import HttpResponse
from django.urls import path


def station_list(request):  # placeholder until the station pages land
    return HttpResponse("")


urlpatterns = [path("stations/", station_list, name="station_list")]
