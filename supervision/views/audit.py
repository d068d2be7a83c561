from django.shortcuts import render

from ..selectors import audit_event_list
from .common import paginate, require_perm


def audit_events(request):
    require_perm(request.user, "supervision.view_auditevent")
    q = request.GET.get("q", "").strip()
    action = request.GET.get("action", "")
    page = paginate(request, audit_event_list(q=q, action=action))
    return render(request, "supervision/audit_list.html", {"page": page, "q": q, "action": action})
