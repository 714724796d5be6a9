from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models and nothing shown in the admin: only the seed commands and their data."""

    name = "demo"
