"""The daily purge of form submission tokens, as a django-celery-beat row an administrator can edit
(created once, matched by name, never overwritten)."""

from django.db import migrations

NAME = "表单提交令牌：清理过期令牌"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="45", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "tiers.tasks.purge_submission_tokens",
            "crontab": crontab,
            "description": "每天删除一天以前的表单提交令牌（防止重复提交用）；此后重新提交那么旧的页面算作新的提交。",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tiers", "0011_submission_tokens"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
