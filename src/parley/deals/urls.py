from django.urls import path

from . import views

app_name = "deals"

urlpatterns = [
    path("meetups/<int:meetup_id>.ics", views.meetup_calendar, name="meetup_ics"),
]
