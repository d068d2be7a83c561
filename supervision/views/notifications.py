"""The user's own notices (通知): the list (newest first, unread highlighted), open one (marks it read and follows
its link), mark all read. Another user's notice is a 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Notification
from ..services.notifications import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    unread_count,
)
from .common import paginate

PER_PAGE = 20


def notification_list(request):
    page = paginate(request, notifications_for(request.user), per_page=PER_PAGE)
    page.object_list = list(page.object_list)
    return render(request, "supervision/notifications.html", {"page": page, "unread": unread_count(request.user)})


@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notification_mark_read(actor=request.user, notification=notification)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return redirect(url)
    return redirect("notification_list")


@require_POST
def notifications_read_all(request):
    count = notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将%(count)d条通知标为已读。") % {"count": count})
    return redirect("notification_list")


urlpatterns = [
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
    path("notifications/read-all/", notifications_read_all, name="notifications_read_all"),
]
