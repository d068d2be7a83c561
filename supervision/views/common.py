"""Small helpers the views share."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404

PAGE_SIZE = 50


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, count: int | None = None):
    """The requested page. `count`, when the caller knows it (from a rollup), spares the COUNT over the rows."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    return paginator.get_page(request.GET.get("page"))


def require_perm(user, perm: str) -> None:
    """A page the user's roles do not include is a 404, like an object they may not see."""
    if not user.has_perm(perm):
        raise Http404


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation errors on the form; errors for fields the form lacks go on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)



def posted(request):
    """The submitted data on POST (even when empty, so required fields report), None otherwise."""
    return request.POST if request.method == "POST" else None


def refuse(request, error: ValidationError) -> None:
    """A service's refusal of an action, shown as messages on the page the user is sent back to."""
    from django.contrib import messages

    for message in error.messages:
        messages.error(request, message)
