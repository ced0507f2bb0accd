"""``docs/catalogue.md`` is what ``manage.py catalogue_markdown`` renders from the catalogue in the database.

The committed file must equal the output on the freshly migrated test database, so the documentation
cannot drift from ``tiers/catalogue/data_2019_33.py``; when the data changes, regenerate it with
``python manage.py catalogue_markdown --output docs/catalogue.md``.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from tiers.models import Escalation, Rule

pytestmark = pytest.mark.django_db

DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"


def render(**options: str) -> str:
    out = StringIO()
    call_command("catalogue_markdown", stdout=out, **options)
    return out.getvalue()


def rule_row(text: str, code: str) -> str:
    """The row of rule ``code`` in the rules table."""
    rows = [line for line in text.splitlines() if line.startswith(f"| {code} |")]
    assert len(rows) == 1, f"expected one table row for {code}, found {len(rows)}"
    return rows[0]


def test_committed_docs_equal_rendered_catalogue() -> None:
    assert DOCS_FILE.exists(), "docs/catalogue.md is missing"
    assert DOCS_FILE.read_text(encoding="utf-8") == render(), (
        "docs/catalogue.md is out of date: run `python manage.py catalogue_markdown --output docs/catalogue.md`"
    )


def test_output_mentions_every_rule_and_escalation() -> None:
    text = render()
    rule_codes = list(Rule.objects.values_list("code", flat=True))
    escalation_codes = list(Escalation.objects.values_list("code", flat=True))
    assert len(rule_codes) == 25
    assert len(escalation_codes) == 16
    for code in rule_codes:
        assert code in text, code
        rule_row(text, code)
    for code in escalation_codes:
        assert f"### {code}" in text, code
    assert "| 220 天 |" in rule_row(text, "R09.1")
    assert "| 160 天 |" in rule_row(text, "R09.2")
    assert "2 户（地厅级 3 户）" in rule_row(text, "R05.3")


def test_output_follows_edits_in_the_database() -> None:
    before = render()
    assert "| 2 次 |" in rule_row(before, "R10.2")
    Rule.objects.filter(code="R10.2").update(minimum=3)
    after = render()
    assert after != before
    assert "| 3 次 |" in rule_row(after, "R10.2")
    assert "| 2 次 |" not in rule_row(after, "R10.2")


def test_output_does_not_depend_on_active_language() -> None:
    chinese = render()
    with translation.override("en"):
        english = render()
    assert english == chinese
    assert "年度" in rule_row(chinese, "R09.1")


def test_output_option_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "catalogue.md"
    render(output=str(target))
    assert target.read_text(encoding="utf-8") == render()
