"""Tells shared templates that deals is installed: they include its parts only then."""


def deals(request) -> dict:
    return {"deals_panel": "deals/panel.html"}
