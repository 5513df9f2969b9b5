from django.apps import apps
from django.shortcuts import get_object_or_404, render

from parley.conversations.selectors import conversation_for_listing

from .forms import ListingFilterForm
from .selectors import listings_matching, listings_visible


def listing_list(request):
    form = ListingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = listings_matching(q=filters.get("q") or "", min_price=filters.get("min_price"), max_price=filters.get("max_price"))
    return render(request, "marketplace/list.html", {
        "listings": found, "form": form, "filtered": bool(filters) and any(filters.values()),
    })


def listing_detail(request, listing_id: int):
    listing = get_object_or_404(listings_visible(), pk=listing_id)
    is_own = request.user.is_authenticated and listing.seller_id == request.user.pk
    existing = (
        conversation_for_listing(buyer=request.user, listing=listing)
        if request.user.is_authenticated and not is_own
        else None
    )
    return render(
        request,
        "marketplace/detail.html",
        {"listing": listing, "is_own": is_own, "existing_conversation": existing,
         "response_time": _response_time(listing.seller_id)},
    )


def _response_time(seller_id: int) -> str:
    """The seller's typical response time, when parley.deals is installed and has enough data."""
    if not apps.is_installed("parley.deals"):
        return ""
    from parley.deals.selectors import response_time_for

    found = response_time_for(seller_id=seller_id)
    return found["text"] if found else ""
