"""/settings/: one page whose sections the feature apps contribute.

An app registers a section in its AppConfig.ready() with `register_settings_section(key,
template, context)`: the template renders one `<section>`, with `context(request)` as its
context. The page shows the registered sections in `order`; an app that is not installed
adds nothing. Each section's forms post to the app's own views, which redirect back here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable
    order: int


_sections: dict[str, Section] = {}


def register_settings_section(key: str, template: str, context: Callable, *, order: int = 100) -> None:
    """Add (or replace) the section `key` of the settings page."""
    _sections[key] = Section(key, template, context, order)


@login_required
def settings_page(request):
    sections = sorted(_sections.values(), key=lambda s: (s.order, s.key))
    rendered = [render_to_string(s.template, s.context(request), request=request) for s in sections]
    return render(request, "parley/settings.html", {"sections": rendered})
