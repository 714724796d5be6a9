from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """`manage.py backup` and `manage.py restore`: the database and every stored file in one
    archive with a manifest of hashes (backups.archive). No models."""

    name = "backups"
