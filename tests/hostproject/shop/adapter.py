"""How Parley reads a shop.Item (settings.PARLEY_LISTING_ADAPTER)."""

from decimal import Decimal

from django.urls import reverse

from parley.conversations.listings import ListingAdapter


class ItemAdapter(ListingAdapter):
    def title(self, item) -> str:
        return item.name

    def price(self, item) -> Decimal:
        return Decimal(item.cost_cents).scaleb(-2)  # 12550 cents -> Decimal("125.50")

    def currency(self, item) -> str:
        return "USD"

    def photo_url(self, item) -> str:
        return item.image.url if item.image else ""

    def seller_id(self, item) -> int:
        return item.owner_id

    def status(self, item) -> str:
        return "sold" if item.sold else "available"

    def status_label(self, item) -> str:
        return "Sold" if item.sold else "For sale"

    def url(self, item) -> str:
        return reverse("shop:item", args=[item.pk])
