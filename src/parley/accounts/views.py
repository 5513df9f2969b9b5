from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from .demo import DEMO_PASSWORD, DEMO_USERS
from .forms import SignUpForm
from .signals import user_signed_up
from .throttle import ThrottledAuthenticationForm


class ParleyLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.PARLEY_DEMO:
            context["demo_users"] = DEMO_USERS
            context["demo_password"] = DEMO_PASSWORD
        return context


def signup(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            user_signed_up.send(sender=SignUpForm, user=user)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    else:
        form = SignUpForm()
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})
