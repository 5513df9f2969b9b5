"""Deals: offers, the record of listing changes shown in threads, meet-ups and safe places.

The listing itself (status, price) is the host marketplace's model (PARLEY_LISTING_MODEL);
deals writes it only through `listing.py`'s writer.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parley.conf import settings


class Offer(models.Model):
    """One negotiation between a buyer and the seller about a listing, in their conversation.

    `amount` is the figure on the table now; `awaiting` says whose answer it waits for (a
    buyer's offer waits for the seller, a seller's counter for the buyer). Only
    services/offers.py changes it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")

    conversation = models.ForeignKey("parley_conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(settings.PARLEY_LISTING_MODEL, on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(max_digits=15, decimal_places=3)  # 3: the currencies with the most minor units (BHD, KWD)
    first_amount = models.DecimalField(max_digits=15, decimal_places=3)
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    awaiting = models.CharField(max_length=6, choices=Role.choices, default=Role.SELLER)
    counters = models.PositiveIntegerField(default=0)
    # Why a declined offer was declined: "" by the person, "reserved"/"sold" automatically.
    reason = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("offer")
        indexes = [models.Index(fields=["listing", "state"]), models.Index(fields=["conversation", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="offer_amount_positive"),
            # One open negotiation per conversation at a time.
            models.UniqueConstraint(fields=["conversation"], condition=models.Q(state="pending"), name="offer_one_pending"),
        ]

    def __str__(self):
        return f"offer #{self.pk} {self.amount} {self.currency} ({self.state})"


class ListingChange(models.Model):
    """A change of a listing's status or price: one row per change, shown as a system line in
    every enquiry thread about the listing (placed by time among the messages)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status")
        PRICE = "price", _("Price")

    listing = models.ForeignKey(settings.PARLEY_LISTING_MODEL, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    old = models.CharField(max_length=20)
    new = models.CharField(max_length=20)
    currency = models.CharField(max_length=3, blank=True, default="")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("listing change")
        indexes = [models.Index(fields=["listing", "created_at"])]


class SafePlace(models.Model):
    """A public place the marketplace suggests for meet-ups (a station hall, a police station lobby)."""

    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    city = models.CharField(_("city"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("safe place")
        ordering = ["city", "name"]

    def __str__(self):
        return f"{self.name}, {self.address}"


class Meetup(models.Model):
    """A proposed time and place to hand the item over; the other side accepts or proposes another."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REPLACED = "replaced", _("Replaced")

    conversation = models.ForeignKey("parley_conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    place = models.CharField(max_length=200)
    address = models.CharField(max_length=200, blank=True, default="")
    state = models.CharField(max_length=9, choices=State.choices, default=State.PROPOSED)
    buyer_here_at = models.DateTimeField(null=True, blank=True)
    seller_here_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("meet-up")
        indexes = [models.Index(fields=["conversation", "created_at"]), models.Index(fields=["state", "at"])]
