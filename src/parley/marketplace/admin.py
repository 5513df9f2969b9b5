from django.contrib import admin

from .models import Listing


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "seller", "price", "currency", "status", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("title", "description", "seller__username")
    raw_id_fields = ("seller",)
