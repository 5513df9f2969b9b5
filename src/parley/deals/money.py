"""Money: Decimal amounts with the currency's precision, never floats."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.errors import Invalid, lazy_format

# ISO 4217 minor units for currencies that do not use two decimals.
MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "HUF": 2, "BHD": 3, "KWD": 3, "TND": 3}


def places(currency: str) -> int:
    return MINOR_UNITS.get((currency or "").upper(), 2)


def parse_amount(raw, currency: str, *, field: str = "amount") -> Decimal:
    """Return `raw` as a Decimal in the currency's precision, or raise Invalid.

    Refused: floats (binary fractions are not money), non-numbers, zero or less, more
    decimals than the currency has, and amounts above PARLEY_DEALS_MAX_AMOUNT.
    """
    if isinstance(raw, float) or isinstance(raw, bool):
        raise Invalid(_("Send the amount as a string or an integer, such as \"300\" or \"299.50\"."), field=field)
    try:
        amount = Decimal(str(raw).strip().replace(",", ".")) if raw is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise Invalid(_("Enter an amount, such as 300 or 299.50."), field=field)
    if amount <= 0:
        raise Invalid(_("The amount must be more than zero."), field=field)
    digits = places(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):
        raise Invalid(lazy_format(_("%(currency)s amounts have at most %(places)d decimals."),
                                  currency=currency, places=digits), field=field)
    limit = Decimal(settings.PARLEY_DEALS_MAX_AMOUNT)
    if amount > limit:
        raise Invalid(lazy_format(_("The amount cannot be more than %(limit)s %(currency)s."),
                                  limit=limit, currency=currency), field=field)
    return amount.quantize(Decimal(1).scaleb(-digits))


def money_str(amount: Decimal | None, currency: str) -> str | None:
    """The wire form: a string with the currency's decimals ("300.00", "1500" for JPY)."""
    if amount is None:
        return None
    return str(Decimal(amount).quantize(Decimal(1).scaleb(-places(currency))))
