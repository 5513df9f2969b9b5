"""Meet-ups: propose a time and place, accept, "I'm here", and the reminder an hour before."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.core.errors import Conflict, Forbidden, Invalid
from parley.stream.append import stream_append

from .. import events
from ..models import Meetup, SafePlace
from ..serializers import meetup_dict

PLACE_MAX = 200
AHEAD_MAX = timedelta(days=60)
REMIND_BEFORE = timedelta(hours=1)
# "On the day": I'm here is taken from this long before the time until this long after.
HERE_WINDOW = timedelta(hours=12)


class MeetupRefused(Conflict):
    code = "meetup_refused"


def _tell(meetup: Meetup, move: str, actor_id) -> None:
    etype, data = events.meetup_event(move, meetup=meetup_dict(meetup), actor_id=actor_id)
    stream_append([(uid, etype, data) for uid in meetup.conversation.participant_ids()])


def meetup_propose(*, user, conversation, at, place: str = "", safe_place_id: int | None = None) -> Meetup:
    """Propose a time and a place (or one of the marketplace's safe places); replaces an open proposal."""
    now = timezone.now()
    if at is None or timezone.is_naive(at):
        raise Invalid(_("Give the time with its time zone."), field="at")
    if at <= now:
        raise Invalid(_("Choose a time in the future."), field="at")
    if at > now + AHEAD_MAX:
        raise Invalid(_("Choose a time within the next 60 days."), field="at")
    address = ""
    if safe_place_id is not None:
        safe = SafePlace.objects.filter(pk=safe_place_id, active=True).first()
        if safe is None:
            raise Invalid(_("This safe place is not offered any more: choose another."), field="safe_place_id")
        place, address = safe.name, safe.address
    place = (place or "").strip()
    if not place or len(place) > PLACE_MAX or any(ord(c) < 32 for c in place):
        raise Invalid(_("Name the place in 1 to 200 characters."), field="place")
    with transaction.atomic():
        Meetup.objects.filter(conversation_id=conversation.pk, state__in=[Meetup.State.PROPOSED, Meetup.State.ACCEPTED]
                              ).update(state=Meetup.State.REPLACED)
        meetup = Meetup.objects.create(conversation=conversation, proposer=user, at=at, place=place,
                                       address=address or place, created_at=now)
        _tell(meetup, "proposed", user.pk)
    return meetup


def meetup_accept(*, user, meetup: Meetup) -> Meetup:
    """The other side accepts the proposed time and place."""
    with transaction.atomic():
        meetup = Meetup.objects.select_for_update().select_related("conversation").get(pk=meetup.pk)
        if meetup.proposer_id == user.pk:
            raise Forbidden(_("The other person accepts a meet-up you proposed."), code="own_meetup")
        if meetup.state != Meetup.State.PROPOSED:
            raise MeetupRefused(_("This meet-up is not open any more: see the latest proposal."), code="meetup_closed")
        if meetup.at <= timezone.now():
            raise MeetupRefused(_("This time has passed: propose another."), code="meetup_past")
        meetup.state = Meetup.State.ACCEPTED
        meetup.save(update_fields=["state"])
        _tell(meetup, "accepted", user.pk)
    return meetup


def meetup_here(*, user, meetup: Meetup, now=None) -> Meetup:
    """I'm here: on the day of an accepted meet-up, tell the other person you have arrived."""
    now = now or timezone.now()
    with transaction.atomic():
        meetup = Meetup.objects.select_for_update().select_related("conversation").get(pk=meetup.pk)
        if meetup.state != Meetup.State.ACCEPTED:
            raise MeetupRefused(_("Only an accepted meet-up has I'm here."), code="meetup_not_accepted")
        if abs(meetup.at - now) > HERE_WINDOW:
            raise MeetupRefused(_("I'm here works on the day of the meet-up."), code="meetup_not_today")
        field = "buyer_here_at" if user.pk == meetup.conversation.buyer_id else "seller_here_at"
        setattr(meetup, field, now)
        meetup.save(update_fields=[field])
        _tell(meetup, "arrived", user.pk)
    return meetup


def meetups_remind(*, now=None) -> int:
    """Remind both sides of every accepted meet-up starting within the hour, once; return how many.

    The reminder is a `meetup.reminder` event in both streams: the conversation shows it, and
    the notifications app's stream sink puts it on the ladder (push, email), matched by name.
    """
    now = now or timezone.now()
    done = 0
    due = Meetup.objects.filter(state=Meetup.State.ACCEPTED, reminded_at__isnull=True, at__gt=now,
                                at__lte=now + REMIND_BEFORE).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            meetup = Meetup.objects.select_for_update().select_related("conversation").get(pk=pk)
            if meetup.reminded_at is not None:
                continue
            meetup.reminded_at = now
            meetup.save(update_fields=["reminded_at"])
            _tell(meetup, "reminder", None)
            done += 1
    return done
