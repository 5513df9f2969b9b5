"""How the messaging app reaches the host marketplace's listings.

Conversations only ever touch listings through `listing_model()` and `listing_adapter()`,
so a host project points PARLEY_LISTING_MODEL at its own model and, where its field
names differ, PARLEY_LISTING_ADAPTER at a subclass of `ListingAdapter`.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.apps import apps
from parley.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ListingCard:
    """What a conversation shows about its listing."""

    id: int
    title: str
    price: Decimal | None
    currency: str
    photo_url: str
    seller_id: int
    status: str
    status_label: str
    url: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "price": str(self.price) if self.price is not None else None,
            "currency": self.currency,
            "photo_url": self.photo_url,
            "seller_id": self.seller_id,
            "status": self.status,
            "status_label": self.status_label,
            "url": self.url,
        }


class ListingAdapter:
    """Read a listing's title, price, photo, seller, status and URL. Subclass to map fields."""

    def title(self, listing) -> str:
        raise NotImplementedError

    def price(self, listing) -> Decimal | None:
        return None

    def currency(self, listing) -> str:
        return ""

    def photo_url(self, listing) -> str:
        return ""

    def seller_id(self, listing) -> int:
        raise NotImplementedError

    def status(self, listing) -> str:
        return "available"

    def status_label(self, listing) -> str:
        return self.status(listing).capitalize()

    def url(self, listing) -> str:
        return listing.get_absolute_url() if hasattr(listing, "get_absolute_url") else ""

    def card(self, listing) -> ListingCard:
        return ListingCard(
            id=listing.pk,
            title=self.title(listing),
            price=self.price(listing),
            currency=self.currency(listing),
            photo_url=self.photo_url(listing),
            seller_id=self.seller_id(listing),
            status=self.status(listing),
            status_label=self.status_label(listing),
            url=self.url(listing),
        )


class AttributeListingAdapter(ListingAdapter):
    """The default: a model with title, price, currency, photo, seller, status fields."""

    # The model field title() reads: search matches item titles in one query of plain values.
    title_field = "title"

    def title(self, listing):
        return listing.title

    def price(self, listing):
        return getattr(listing, "price", None)

    def currency(self, listing):
        return getattr(listing, "currency", "")

    def photo_url(self, listing):
        photo = getattr(listing, "photo", None)
        return photo.url if photo else ""

    def seller_id(self, listing):
        return listing.seller_id

    def status(self, listing):
        return getattr(listing, "status", "available")

    def status_label(self, listing):
        display = getattr(listing, "get_status_display", None)
        return str(display()) if display else super().status_label(listing)


def listing_model():
    try:
        return apps.get_model(settings.PARLEY_LISTING_MODEL, require_ready=False)
    except (ValueError, LookupError) as exc:
        raise ImproperlyConfigured(
            f"PARLEY_LISTING_MODEL refers to {settings.PARLEY_LISTING_MODEL!r}, which is not an "
            "installed model. Set it to 'app_label.ModelName' of your listing model."
        ) from exc


@lru_cache(maxsize=None)
def _adapter(path: str) -> ListingAdapter:
    return import_string(path)()


def listing_adapter() -> ListingAdapter:
    return _adapter(settings.PARLEY_LISTING_ADAPTER)
