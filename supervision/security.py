"""HTTP and session hardening: the Content-Security-Policy and the session's idle and absolute time limits, plus
the page shown while a login is throttled (django-axes)."""

import base64
import hashlib
import re
import time
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _

# Session keys (seconds since the epoch).
SESSION_AUTH_AT = "_auth_at"
SESSION_LAST_SEEN = "_last_seen"
# Writing the last-seen time on every request would save the session on every request; once a minute is
# precise enough for a 30-minute limit.
LAST_SEEN_RESOLUTION = 60


@cache
def error_page_style_hashes() -> tuple[str, ...]:
    """CSP hashes of the <style> blocks of templates/500.html. The error page carries its own styles so that it
    renders even when static files are what failed; its exact block is allowed by hash, nothing else inline."""
    hashes = []
    for template_dir in settings.TEMPLATES[0]["DIRS"]:
        try:
            text = (template_dir / "500.html").read_text(encoding="utf-8")
        except OSError:
            continue
        for block in re.findall(r"<style>(.*?)</style>", text, flags=re.S):
            digest = base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii")
            hashes.append(f"'sha256-{digest}'")
    return tuple(hashes)


# The API documentation page (drf-spectacular's Swagger UI) runs a third-party bundle that injects <style>
# elements and starts a web worker from a blob: URL. It shows the schema only, no records; it gets inline style
# elements and blob: workers, still no inline or foreign script. (Redoc was dropped: its bundle fetches its logo
# from the internet.)
API_DOCS_PREFIXES = ("/api/docs/",)


@cache
def content_security_policy(api_docs: bool = False) -> str:
    # Scripts: only our own files (no inline script, no eval). Styles: our own style sheets and the error page's
    # block by hash; style="" attributes stay allowed (style-src-attr): they cannot load anything or select
    # elements, so they do not carry the CSS-injection attacks a <style> element does, and templates use them
    # for one-off layout. Browsers without the CSP3 -elem/-attr directives fall back to style-src.
    elem = " ".join(["'self'", *error_page_style_hashes()])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "style-src-elem": elem,
        "style-src-attr": "'unsafe-inline'",
        "img-src": "'self' data:",  # QR codes of public notices are data: URIs
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    if api_docs:
        directives["style-src-elem"] = "'self' 'unsafe-inline'"
        directives["worker-src"] = "'self' blob:"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy (unless a view set its own, like the sandboxed evidence preview) and a
    Permissions-Policy denying device features the application never uses. Referrer-Policy,
    X-Content-Type-Options, Cross-Origin-Opener-Policy and X-Frame-Options come from Django's own middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.path.startswith(API_DOCS_PREFIXES))
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        return response


def _expired(session, now: float) -> str:
    """'idle', 'absolute' or '' for a logged-in session."""
    auth_at = session.get(SESSION_AUTH_AT)
    last_seen = session.get(SESSION_LAST_SEEN)
    if auth_at is not None and now - auth_at > settings.SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    if last_seen is not None and now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
        return "idle"
    return ""


class SessionTimeoutMiddleware:
    """Logs a session out after SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_SECONDS after the
    login whatever the activity (a shared village computer left logged in). The login page then says why.
    Must come after the authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = _expired(request.session, now)
            if reason:
                request.logout_reason = reason
                logout(request)
                messages.info(request, _("登录已超时，请重新登录。") if reason == "absolute"
                              else _("您已长时间未操作，为保护数据已自动退出，请重新登录。"))
            else:
                last_seen = request.session.get(SESSION_LAST_SEEN)
                if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                    request.session[SESSION_LAST_SEEN] = now
                request.session.setdefault(SESSION_AUTH_AT, now)
        return self.get_response(request)


def mark_session_start(request) -> None:
    """Called when a user logs in: the absolute and idle limits count from now."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_AUTH_AT] = now
        request.session[SESSION_LAST_SEEN] = now


def lockout_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    return _("登录失败次数过多，账号已暂时锁定，请%(minutes)s分钟后再试。") % {"minutes": lockout_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a throttled login: the login page again, saying how long to wait (HTTP 429)."""
    form = AuthenticationForm(request, data=None)
    return render(request, "registration/login.html", {"form": form, "lockout_message": lockout_message(),
                                                       "next": request.POST.get("next", "")}, status=429)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a Chinese message: Django 5.2 changed the message's source text and its Chinese
    catalogue still translates the old one, so the stock validator answers in English."""

    def get_error_message(self):
        return _("密码太短，至少需要%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要%(min_length)d个字符。") % {"min_length": self.min_length}
