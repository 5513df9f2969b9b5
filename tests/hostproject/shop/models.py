from django.conf import settings
from django.db import models
from django.urls import reverse


class Item(models.Model):
    """The host marketplace's own listing, with field names unlike the demo's Listing."""

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="items")
    cost_cents = models.PositiveIntegerField()
    sold = models.BooleanField(default=False)
    image = models.ImageField(upload_to="items/", blank=True)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:item", args=[self.pk])
