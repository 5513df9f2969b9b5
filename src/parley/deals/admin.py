from django.contrib import admin

from .models import SafePlace


@admin.register(SafePlace)
class SafePlaceAdmin(admin.ModelAdmin):
    """The safe places the meet-up card suggests: editable by the marketplace's staff."""

    list_display = ("name", "address", "city", "active")
    list_filter = ("active", "city")
    search_fields = ("name", "address", "city")
