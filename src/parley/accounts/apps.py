from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parley.accounts"
    label = "parley_accounts"
