from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class ListingFilterForm(forms.Form):
    """The marketplace's search box and price filter (GET, so a search is a link)."""

    q = forms.CharField(label=_("Search listings"), required=False, max_length=100, strip=True)
    min_price = forms.DecimalField(label=_("Min price"), required=False, min_value=Decimal(0), max_digits=10, decimal_places=2)
    max_price = forms.DecimalField(label=_("Max price"), required=False, min_value=Decimal(0), max_digits=10, decimal_places=2)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("The minimum price is above the maximum price."), code="price_range")
        return data
