"""Privacy reads: who may see whose presence and read receipts (docs/protocol.md, "Privacy").

A user's defaults are a `PrivacySetting` row (none: both on); each side of a conversation may
override them there (`Participant.show_online`, `Participant.read_receipts`, None: the default).

- Read receipts are reciprocal, per conversation: they flow between its two people only when
  both have them on there. Off, neither is told the other's read mark.
- Presence is per pair of people: someone is hidden from a viewer when any conversation they
  share has "show when I'm online" off on their side (hiding wins).
"""

from django.db.models import Q

from .models import Participant, PrivacySetting

DEFAULTS = {"show_online": True, "read_receipts": True}


def privacy_defaults(*, user_id: int) -> dict:
    """{"show_online", "read_receipts"}: the user's defaults."""
    row = PrivacySetting.objects.filter(user_id=user_id).values("show_online", "read_receipts").first()
    return row or dict(DEFAULTS)


def read_receipts_on(*, conversation_id: int) -> bool:
    """Whether read marks flow between the two people of the conversation (both have receipts on)."""
    rows = Participant.objects.filter(conversation_id=conversation_id).values_list(
        "read_receipts", "user__parley_privacy__read_receipts"
    )
    return all(_effective(override, default) for override, default in rows)


def presence_visible_to(subject_id: int, viewer_ids: list[int]) -> set[int]:
    """The viewers (among `viewer_ids`) that may be told `subject_id`'s presence: one query."""
    viewers = set(viewer_ids)
    if not viewers:
        return set()
    rows = Participant.objects.filter(user_id=subject_id).filter(
        Q(conversation__buyer_id__in=viewers) | Q(conversation__seller_id__in=viewers)
    ).values_list("conversation__buyer_id", "conversation__seller_id", "show_online", "user__parley_privacy__show_online")
    hidden = set()
    for buyer_id, seller_id, override, default in rows:
        if not _effective(override, default):
            hidden.add(seller_id if buyer_id == subject_id else buyer_id)
    return viewers - hidden


def _effective(override: bool | None, default: bool | None) -> bool:
    if override is not None:
        return override
    return True if default is None else default


def privacy_here(*, user_id: int, conversation_id: int) -> dict:
    """The user's own privacy in one conversation: each switch as it applies there, and the overrides."""
    override = Participant.objects.filter(conversation_id=conversation_id, user_id=user_id).values(
        "show_online", "read_receipts"
    ).first() or {"show_online": None, "read_receipts": None}
    defaults = privacy_defaults(user_id=user_id)
    return {
        key: _effective(override[key], defaults[key]) for key in DEFAULTS
    } | {"overridden": any(v is not None for v in override.values()), "override": override}
