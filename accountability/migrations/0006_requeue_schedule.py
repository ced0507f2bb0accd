"""Every 5 minutes, send again the work a page could not hand to the workers while Redis was down
(a django-celery-beat row, created once, matched by name, never overwritten)."""

from django.db import migrations

NAME = "任务队列：补发未送出的任务"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="*/5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "accountability.tasks.requeue_waiting",
            "crontab": crontab,
            "description": "Redis 不可用期间，页面发起的合规评估和花名册预览/导入会先记录为等待中；Redis 恢复后由本任务补发。",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0005_unit_summary"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
