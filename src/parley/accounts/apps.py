from django.apps import AppConfig, apps


class AccountsConfig(AppConfig):
    name = "parley.accounts"
    label = "parley_accounts"

    def ready(self):
        # The admin's log-in shares the log-in form's throttle (parley.accounts.throttle),
        # unless the project gave its admin site a log-in form of its own.
        if apps.is_installed("django.contrib.admin"):
            from django.contrib import admin

            from .throttle import ThrottledAdminAuthenticationForm

            if admin.site.login_form is None:
                admin.site.login_form = ThrottledAdminAuthenticationForm
