"""Internationalisation: Chinese by default, English from locale/en, and a complete, compiled catalogue.

Our msgids are Chinese; ``locale/en/LC_MESSAGES/django.po`` translates them into English. The last
two tests read that file directly, so an untranslated or fuzzy entry, or a ``.mo`` that was not
recompiled after the ``.po`` changed, fails the suite.
"""

from __future__ import annotations

import ast
import gettext
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tiers.messages import Msg
from tiers.models import Place, Rule

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """Requests through LocaleMiddleware activate a language in this thread; do not leak it."""
    previous = translation.get_language()
    yield
    if previous:
        translation.activate(previous)
    else:
        translation.deactivate()


# --- the pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_language_is_chinese(client: Client) -> None:
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_accept_language_en_gives_english(client: Client) -> None:
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "登录" not in html


# --- lazy strings in code ------------------------------------------------------------------------


def test_messages_and_verbose_names_follow_the_active_language() -> None:
    with translation.override("en"):
        assert str(Msg.DATES_ORDER) == "The end date cannot be earlier than the start date."
        assert str(Rule._meta.verbose_name) == "frequency rule"
        assert str(Rule._meta.get_field("pro_rated").verbose_name) == "pro-rated by time in post"
        assert str(Place._meta.get_field("code").verbose_name) == "division code"
    with translation.override("zh-hans"):
        assert str(Msg.DATES_ORDER) == "结束日期不能早于开始日期。"
        assert str(Rule._meta.verbose_name) == "频次规则"
        assert str(Rule._meta.get_field("pro_rated").verbose_name) == "按在岗时长折算"
        assert str(Place._meta.get_field("code").verbose_name) == "区划代码"


def test_placeholders_survive_translation() -> None:
    with translation.override("en"):
        text = str(Msg.CODE_LENGTH) % {"level": "Township", "length": 9, "actual": 6}
    assert text == "A division code at the Township level must have 9 digits; this one has 6."


# --- the catalogue files -------------------------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The key of this entry in a GNU .mo catalogue (context and msgid joined by EOT)."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[PoEntry]:
    """A small .po reader: flags, msgctxt, msgid(_plural), msgstr(/[n]) with continuation lines.

    An entry ends at a blank line, or where a comment or ``msgctxt``/``msgid`` follows a ``msgstr``
    (makemessages does not always leave a blank line after the header). Obsolete ``#~`` entries are
    ignored.
    """
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    target: tuple[str, int] | None = None  # which string the continuation lines extend
    flags: set[str] = set()

    def finish() -> None:
        nonlocal entry, target
        if entry is not None:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            flags = set()
            continue
        if entry is not None and entry.msgstr and (line.startswith("#") or line.startswith(("msgctxt", "msgid "))):
            finish()
            flags = set()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert entry is not None and target is not None, f"{path}:{number}: stray string"
            _append(entry, target, ast.literal_eval(line))
            continue
        keyword, _, value = line.partition(" ")
        if entry is None:
            entry = PoEntry(flags=flags, line=number)
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            target = (keyword, 0)
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
        _set(entry, target, ast.literal_eval(value))
    finish()
    return entries


def _set(entry: PoEntry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = text
    else:
        setattr(entry, name, text)


def _append(entry: PoEntry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def _messages() -> list[PoEntry]:
    return [entry for entry in parse_po(PO_FILE) if entry.msgid]  # the header has msgid ""


def test_po_parser_handles_continuation_lines() -> None:
    """The reader joins wrapped strings (makemessages wraps long msgids at ~80 columns)."""
    with translation.override(None):  # no catalogue: the msgid itself
        msgid = str(Msg.CODE_PREFIX)
    wrapped = [entry for entry in _messages() if entry.msgid == msgid]
    assert len(wrapped) == 1
    assert "%(parent_code)s" in wrapped[0].msgid and "%(prefix)s" in wrapped[0].msgid


def test_every_message_is_translated_and_not_fuzzy() -> None:
    entries = parse_po(PO_FILE)
    headers = [entry for entry in entries if entry.msgid == ""]
    assert len(headers) == 1 and "fuzzy" not in headers[0].flags, "the header must not be fuzzy"

    messages = _messages()
    assert len(messages) > 100, "locale/en/LC_MESSAGES/django.po looks truncated"
    fuzzy = [f"line {entry.line}: {entry.msgid}" for entry in messages if "fuzzy" in entry.flags]
    empty = [
        f"line {entry.line}: {entry.msgid}"
        for entry in messages
        if not entry.msgstr or not all(text.strip() for text in entry.msgstr.values())
    ]
    assert not fuzzy, "fuzzy entries in django.po:\n" + "\n".join(fuzzy)
    assert not empty, "untranslated entries in django.po:\n" + "\n".join(empty)


def test_mo_matches_po() -> None:
    """Every translation in the .po is in the compiled .mo, unchanged: catches a stale .mo."""
    assert MO_FILE.exists(), "run: python manage.py compilemessages --locale en"
    with MO_FILE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # msgid (or (msgid, n)) -> msgstr

    stale = []
    for entry in _messages():
        if "fuzzy" in entry.flags:
            continue  # msgfmt leaves fuzzy entries out; the test above reports them
        for index, text in entry.msgstr.items():
            if not text:
                continue
            key = (entry.key, index) if entry.msgid_plural is not None else entry.key
            if catalogue.get(key) != text:
                stale.append(f"line {entry.line}: {entry.msgid!r}: .po {text!r}, .mo {catalogue.get(key)!r}")
    assert not stale, "django.mo is out of date; run compilemessages:\n" + "\n".join(stale)
