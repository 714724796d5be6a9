"""The format once called "concentrated study" (集中学习) is now "topic study" (专题学习):
集中学习 is the word for every session of the group (DESIGN.md, Words), so a format of that name
made the summary read "共开展中心组集中学习12次，其中集中学习3次". Existing sessions and planned
topics move from "concentrated" to "topic_study"; reversing moves them back."""

from django.db import migrations, models

OLD, NEW = "concentrated", "topic_study"
MODELS = ("StudySession", "PlannedTopic")


def _move(apps, old: str, new: str) -> None:
    for name in MODELS:
        apps.get_model("sessions_app", name).objects.filter(format=old).update(format=new)


def forwards(apps, schema_editor):
    _move(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _move(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0005_essay_word_count"),
    ]

    operations = [
        migrations.AlterField(
            model_name="plannedtopic",
            name="format",
            field=models.CharField(
                blank=True,
                choices=[
                    ("topic_study", "topic study"),
                    ("seminar", "seminar"),
                    ("expert_lecture", "expert lecture"),
                    ("video", "video study"),
                    ("enlarged_meeting", "enlarged meeting"),
                    ("reading_class", "reading class"),
                ],
                max_length=20,
                verbose_name="format",
            ),
        ),
        migrations.AlterField(
            model_name="studysession",
            name="format",
            field=models.CharField(
                choices=[
                    ("topic_study", "topic study"),
                    ("seminar", "seminar"),
                    ("expert_lecture", "expert lecture"),
                    ("video", "video study"),
                    ("enlarged_meeting", "enlarged meeting"),
                    ("reading_class", "reading class"),
                ],
                default="topic_study",
                max_length=20,
                verbose_name="format",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
