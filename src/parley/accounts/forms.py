from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email address"), max_length=254,
        help_text=_("For notifications of messages you have not read. We send a link to confirm it first."),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")
