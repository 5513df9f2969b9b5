"""The notifications app's access check: a push subscription is its owner's only."""

from django.utils.translation import gettext_lazy as _

from parley.core.ids import row_or_not_found

from .models import PushSubscription


def push_subscription_for(user, subscription_id) -> PushSubscription:
    """One of the user's push subscriptions; NotFound for anyone else's, as for a missing one."""
    return row_or_not_found(PushSubscription.objects.filter(user=user), subscription_id, _("No such push subscription."))
