"""Denied access in the audit trail. A logged-in user answered 403, or 404 on a URL that exists (an object or a
page their roles do not open: require_perm, the access helpers' Http404, DRF permission denials), leaves an
"access.denied" event with the path, method and status. At most one event per user and path per minute (cache),
so a crawler cannot flood the trail. The response itself is passed on untouched."""

import hashlib
import logging

from django.core.cache import cache

from .audit import audit_record

logger = logging.getLogger(__name__)

DENIED_STATUSES = {403, 404}
RATE_SECONDS = 60


class DeniedAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in DENIED_STATUSES and getattr(request, "resolver_match", None) is not None:
            # request.user after the view: DRF sets it on the Django request when a token authenticates.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                record_denied(request, user, response.status_code)
        return response


def record_denied(request, user, status: int) -> None:
    path = request.path[:500]
    key = f"audit:denied:{user.pk}:{hashlib.sha256(path.encode()).hexdigest()[:32]}"
    try:
        first = cache.add(key, 1, RATE_SECONDS)
    except Exception:  # noqa: BLE001 - a cache outage must not hide the denial
        logger.warning("denied-access rate limit unavailable; recording", exc_info=True)
        first = True
    if not first:
        return
    try:
        audit_record(actor=user, action="access.denied",
                     changes={"path": path, "method": request.method, "status": str(status)})
    except Exception:  # noqa: BLE001 - the user still gets their answer
        logger.exception("could not record denied access to %s", path)
