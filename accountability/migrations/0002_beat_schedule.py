"""The compliance engine's schedule, as django-celery-beat rows an administrator can edit in the admin.

Created once (matched by name), never overwritten: an administrator's change to a time survives later
migrations.
"""

from django.db import migrations

SCHEDULES = [
    {
        "name": "合规评估：每日进度预警",
        "task": "accountability.tasks.compliance_nightly",
        "crontab": {"minute": "0", "hour": "2"},
        "description": "每天凌晨评估本年度各规则：进行中的周期标记进度落后的“有风险”对象，已到期未关账的周期生成或纠正违规。",
    },
    {
        "name": "合规评估：期末关账",
        "task": "accountability.tasks.compliance_closing",
        "crontab": {"minute": "0", "hour": "4"},
        "description": "每天检查到期满关账日（周期结束后 period_close_days 天）的月、季、半年、年度周期，进行期末评估并关账。",
    },
]


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for row in SCHEDULES:
        crontab, _ = Crontab.objects.get_or_create(
            **row["crontab"], day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.get_or_create(
            name=row["name"], defaults={"task": row["task"], "crontab": crontab, "description": row["description"]}
        )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[r["name"] for r in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0001_compliance"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
