from django.shortcuts import get_object_or_404, render

from .models import Item


def item_list(request):
    return render(request, "shop/list.html", {"items": Item.objects.order_by("-pk")})


def item_detail(request, pk: int):
    return render(request, "shop/item.html", {"item": get_object_or_404(Item, pk=pk)})
