"""The conversation page's "Quick replies" button, without the conversations app importing
this one: `quick_replies` is a callable, so the query runs only on a page that uses it."""


def quick_replies(request):
    def replies():
        from .services import quick_replies_for

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return quick_replies_for(user=user)

    return {"quick_replies_enabled": True, "quick_replies": replies}
