"""The documents' periodic tasks in Celery beat's schedule (django-celery-beat, editable in the
admin): the sweep that re-makes approved documents whose records changed (every 5 minutes, for
checks whose countdown task was lost) and the daily deletion of stored files no row points to."""

from django.db import migrations

REFRESH_ROW = "Re-make approved documents whose records changed"
ORPHANS_ROW = "Delete stored files no row points to"


def add_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five, _created = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=REFRESH_ROW,
        defaults={"task": "reports.refresh_documents", "interval": every_five, "enabled": True},
    )
    nightly, _created = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=ORPHANS_ROW,
        defaults={"task": "reports.delete_orphan_files", "crontab": nightly, "enabled": True},
    )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[REFRESH_ROW, ORPHANS_ROW]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_archive_build"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
