from .models import Listing


def listings_visible():
    """Return the listings shown on /marketplace, newest first."""
    return Listing.objects.select_related("seller").order_by("-created_at", "-id")
