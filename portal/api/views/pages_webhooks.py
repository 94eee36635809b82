"""Carrier admin pages: the operator's webhook endpoints, their recent deliveries with the
receivers' answers, and a button that sends one message again.

Read-only but for that button: the partner manages its endpoints through the API. Another
operator's endpoint or message is a 404, like one that does not exist.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import permission_required
from portal.accounts.permissions import Perm
from portal.api import webhooks
from portal.lib.errors import PortalError, add_to_messages

RECENT = 50


@permission_required(Perm.VIEW_WEBHOOKS)
def webhook_endpoint_list(request):
    endpoints = webhooks.endpoints_of_carrier(request.user).select_related("owner")
    recent = (
        webhooks.messages_of_carrier(request.user)
        .select_related("endpoint")
        .order_by("-created_at", "-pk")[:RECENT]
    )
    return render(request, "api/webhooks.html", {"endpoints": endpoints, "recent": recent})


@permission_required(Perm.VIEW_WEBHOOKS)
def webhook_endpoint_detail(request, pk):
    endpoint = get_object_or_404(webhooks.endpoints_of_carrier(request.user), pk=pk)
    recent = endpoint.messages.prefetch_related("tries").order_by("-created_at", "-pk")[:RECENT]
    return render(request, "api/webhook_detail.html", {"endpoint": endpoint, "recent": recent})


@permission_required(Perm.VIEW_WEBHOOKS)
@require_POST
def webhook_message_redeliver(request, pk):
    message = get_object_or_404(webhooks.messages_of_carrier(request.user), pk=pk)
    try:
        webhooks.message_redeliver(message=message, actor=request.user)
    except PortalError as error:
        add_to_messages(request, error)
    else:
        messages.success(request, _("The message will be sent again in a moment."))
    return redirect("api-pages:webhook_detail", pk=message.endpoint_id)
