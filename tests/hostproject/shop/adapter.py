"""How Parley reads a shop.Item (settings.PARLEY_LISTING_ADAPTER)."""

from decimal import Decimal

from django.urls import reverse

from parley.conversations.listings import ListingAdapter
from parley.deals.listing import ListingWriter


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
        return "sold" if item.sold else "reserved" if item.on_hold else "available"

    def status_label(self, item) -> str:
        return {"sold": "Sold", "reserved": "On hold"}.get(self.status(item), "For sale")

    def url(self, item) -> str:
        return reverse("shop:item", args=[item.pk])


class ItemWriter(ListingWriter):
    """How parley.deals changes a shop.Item (settings.PARLEY_DEALS_LISTING_WRITER)."""

    def set_status(self, item, status: str) -> None:
        item.sold, item.on_hold = status == "sold", status == "reserved"
        item.save(update_fields=["sold", "on_hold"])

    def set_price(self, item, price: Decimal) -> None:
        item.cost_cents = int(price.scaleb(2))
        item.save(update_fields=["cost_cents"])
