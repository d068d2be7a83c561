"""Logins, logouts and failed logins in the audit trail (connected in SupervisionConfig.ready)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record, client_ip
from .security import mark_session_start


def _ip(request) -> str:
    return (client_ip(request) if request is not None else None) or ""


@receiver(user_logged_in, dispatch_uid="supervision.auth_events.logged_in")
def record_login(sender, request, user, **kwargs):
    mark_session_start(request)
    if request is None or not request.path:
        # Not a login through the site (a script, or the test client's force_login builds a bare request).
        return
    audit_record(actor=user, action="auth.login", obj=user, changes={"ip": _ip(request)})


@receiver(user_logged_out, dispatch_uid="supervision.auth_events.logged_out")
def record_logout(sender, request, user, **kwargs):
    if user is None:
        return  # an anonymous visitor pressing "log out": nothing happened
    reason = getattr(request, "logout_reason", "") if request is not None else ""
    audit_record(actor=user, action="auth.logout", obj=user,
                 changes={"ip": _ip(request), **({"reason": reason} if reason else {})})


@receiver(user_login_failed, dispatch_uid="supervision.auth_events.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; only the username tried is kept.
    username = str(credentials.get("username", ""))[:150]
    changes = {"username": username, "ip": _ip(request)}
    if request is not None and getattr(request, "axes_locked_out", False):
        changes["locked_out"] = True
    audit_record(actor=None, action="auth.login_failed", changes=changes)
