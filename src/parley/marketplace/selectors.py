from django.db.models import Q

from .models import Listing


def listings_visible():
    """Return the listings shown on /marketplace, newest first."""
    return Listing.objects.select_related("seller").order_by("-created_at", "-id")


def listings_matching(*, q: str = "", min_price=None, max_price=None):
    """The visible listings whose title or description holds every word of `q` (case-insensitive),
    priced within [min_price, max_price] when given."""
    qs = listings_visible()
    for word in q.split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if min_price is not None:
        qs = qs.filter(price__gte=min_price)
    if max_price is not None:
        qs = qs.filter(price__lte=max_price)
    return qs
