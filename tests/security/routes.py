"""Every route of the URL conf, found by walking django.urls.get_resolver() (the pages, the API with its router and
format-suffix variants, and the admin), so that a route added tomorrow is in the permission matrix without anyone
remembering it."""

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

FORMAT_SUFFIX = re.compile(r"\(\?P<format>|<drf_format_suffix:format>")
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full route, as the URL conf spells it (e.g. "api/^units/(?P<pk>[^/.]+)/$")
    name: str | None  # namespaced ("admin:index"); None for the few unnamed routes
    callback: object = field(default=None, compare=False, hash=False, repr=False)

    @property
    def key(self) -> str:
        """What the expectations table is keyed by: the name, or the pattern for an unnamed route. A format-suffix
        twin of an API route ("api/^units\\.(?P<format>…)") keeps its name and is told apart by `format_suffix`."""
        return self.name or self.pattern

    @property
    def format_suffix(self) -> bool:
        return bool(FORMAT_SUFFIX.search(self.pattern))

    @property
    def kind(self) -> str:
        """"api", "admin" or "page": how anonymous users are refused (401/403, admin login, login page)."""
        if self.pattern.startswith("api/"):
            return "api"
        if self.pattern.startswith("admin/"):
            return "admin"
        return "page"

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(a or b for a, b in PARAM.findall(self.pattern))

    @property
    def api_methods(self) -> set[str] | None:
        """The HTTP methods an API route answers (a viewset's actions, or an API view's handlers); None for the
        pages, whose methods the URL conf does not tell."""
        if self.kind != "api":
            return None
        actions = getattr(self.callback, "actions", None)
        if actions is not None:  # (DRF adds "head" for "get" on the first request)
            return {method.upper() for method in actions if method not in ("head", "options")}
        view_class = getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)
        return {method.upper() for method in view_class.http_method_names
                if method not in ("head", "options") and hasattr(view_class, method)}

    def __str__(self) -> str:
        suffix = " (format suffix)" if self.format_suffix else ""
        return f"{self.key}{suffix} [{self.pattern}]"


def _walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(prefix + str(entry.pattern), name, entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver()))
