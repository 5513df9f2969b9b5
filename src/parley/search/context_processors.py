"""The inbox's search box, without the conversations app importing this one."""


def search(request):
    return {"search_enabled": True}
