"""Views of rounds: batches. Each module owns its urlpatterns; rounds/urls.py joins them."""

from django.http import Http404, HttpResponse
from django.urls import path


def batch_list(request):  # placeholder until the batch pages land
    if not request.user.has_perm("rounds.view_batch"):
        raise Http404
    return HttpResponse("")


urlpatterns = [path("batches/", batch_list, name="batch_list")]
