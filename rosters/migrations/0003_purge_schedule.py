"""The daily purge of unconfirmed roster uploads, as a django-celery-beat row an administrator can edit
(created once, matched by name, never overwritten)."""

from django.db import migrations

NAME = "花名册导入：清理过期上传文件"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "rosters.tasks.purge_uploads",
            "crontab": crontab,
            "description": "每天删除超过保留期（ROSTER_UPLOAD_DAYS，默认 7 天）仍未确认导入的预览文件；导入记录本身保留。",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rosters", "0002_upload_status"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
