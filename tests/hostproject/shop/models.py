from django.conf import settings
from django.db import models


class Item(models.Model):
    """The host marketplace's own listing, with field names unlike the demo's Listing.

    No get_absolute_url on purpose: Parley must reach the item's page through the adapter.
    """

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="items")
    cost_cents = models.PositiveIntegerField()
    sold = models.BooleanField(default=False)
    # Kept for one buyer (parley.deals: an accepted offer, or the owner's Reserved button).
    on_hold = models.BooleanField(default=False)
    image = models.ImageField(upload_to="items/", blank=True)

    def __str__(self):
        return self.name
