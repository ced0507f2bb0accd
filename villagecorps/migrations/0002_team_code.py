"""Teams get a stable code (issue 9: roster workbooks match teams on it); existing teams are given
their village's code and their first day, as ``Team.save`` does for a team created without one."""

import django.core.validators
from django.db import migrations, models

VALIDATORS = [
    django.core.validators.RegexValidator(
        "^[A-Z0-9][A-Z0-9-]{1,39}$", "工作队编码只能包含大写字母、数字和连字符，长度 2–40。"
    )
]


def backfill(apps, schema_editor):
    Team = apps.get_model("villagecorps", "Team")
    taken: set[str] = set()
    teams = list(Team.objects.select_related("village").order_by("id"))
    for team in teams:
        code = base = f"{team.village.code}-{team.start:%Y%m%d}"
        n = 1
        while code in taken:
            n += 1
            code = f"{base}-{n}"
        taken.add(code)
        team.code = code
    Team.objects.bulk_update(teams, ["code"], batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("villagecorps", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalteam",
            name="code",
            field=models.CharField(
                blank=True, db_index=True, max_length=40, validators=VALIDATORS, verbose_name="工作队编码"
            ),
        ),
        migrations.AddField(
            model_name="team",
            name="code",
            field=models.CharField(blank=True, max_length=40, null=True, verbose_name="工作队编码"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="team",
            name="code",
            field=models.CharField(
                blank=True, max_length=40, unique=True, validators=VALIDATORS, verbose_name="工作队编码"
            ),
        ),
    ]
