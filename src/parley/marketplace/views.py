from django.shortcuts import get_object_or_404, render

from parley.conversations.selectors import conversation_for_listing

from .selectors import listings_visible


def listing_list(request):
    return render(request, "marketplace/list.html", {"listings": listings_visible()})


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
        {"listing": listing, "is_own": is_own, "existing_conversation": existing},
    )
