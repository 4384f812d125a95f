from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "intel"
    verbose_name = "Records and intelligence"
