"""The write half of the every-URL test, for the admin: every relation of every change form, inlines included.

For each scoped model whose admin county staff may change, side A's change page is read as a browser reads it
(every input, selected option and textarea of the form), then posted back with one relation field at a time
pointed at a row of that field's model outside the user's scope: each such POST must be refused (the form
comes back, or 403) and leave every table's digest as the world was built. Last, the form posted back
unchanged must be accepted, so that the refusals are the scope's doing and not a bad form.

The world (two mirror-image sides, the users, the digest) is the one of ``test_every_url``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from tests.security.test_every_url import (  # noqa: F401  (``world`` is the module's fixture)
    ADMIN_SCOPED,
    READ_ONLY_ADMINS,
    admin_url,
    client_of,
    may,
    world,
    written,
)
from tiers.choices import Role

ROLE = Role.COUNTY_STAFF
#: Side A rows that the world builds with factories in a shape their admin form refuses on its own (not a
#: scope question): for these only the refusals are checked, not the unchanged save.
WORLD_ROWS_THE_FORM_REFUSES = {
    "tiers.DutyRecord": "the world's record has no kind (the form requires one)",
    "tiers.Finding": "the world's finding does not pass the finding form's own checks",
    "accountability.Case": "the world's case names both a cadre and a person (the form requires exactly one)",
}
pytestmark = pytest.mark.django_db


class FormReader(HTMLParser):
    """The values a browser would submit from the page's main form (``<form id="…_form">``)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if tag == "option" and self._select is not None and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
            return
        if tag == "select":
            self._select = None  # a disabled or nameless select's options belong to nobody
        if not self._in_form or "name" not in a or "disabled" in a:
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image") or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def relation_fields(model_admin: Any, user: Any, obj: Any, data: dict[str, list[str]]) -> dict[str, Any]:
    """The posted names of the form's relation fields (main form and each inline row) → their model."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found: dict[str, Any] = {}
    form_class = model_admin.get_form(request, obj, change=True)
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.ModelChoiceField) and name in data:
            found[name] = field.queryset.model
    for formset_class, _inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset_class.get_default_prefix()
        for name, field in formset_class.form.base_fields.items():
            if not isinstance(field, forms.ModelChoiceField) or field.disabled:
                continue
            for posted in data:
                if posted.startswith(f"{prefix}-") and posted.endswith(f"-{name}") and "__prefix__" not in posted:
                    found[posted] = field.queryset.model
    return found


def changeable() -> list[str]:
    return [label for label in ADMIN_SCOPED if label not in READ_ONLY_ADMINS]


@pytest.mark.parametrize("label", changeable())
def test_every_relation_of_the_change_form_refuses_outside_rows(world: Any, label: str) -> None:  # noqa: F811
    from tiers.scope import scoped_choices

    model = apps.get_model(label)
    user, client = world.users[ROLE], client_of(world, ROLE)
    if not may(user, "change", model):
        pytest.skip(f"{ROLE} may not change {label}")
    inside = ADMIN_SCOPED[label][0](world, ROLE)
    url = admin_url(inside, "change")
    page = client.get(url)
    if page.status_code != 200:
        pytest.skip(f"{label}: side A's change page is not the role's ({page.status_code})")
    reader = FormReader()
    reader.feed(page.content.decode())
    data = reader.data
    relations = relation_fields(admin.site._registry[model], user, inside, data)
    tried = []
    for name, related in relations.items():
        choices = scoped_choices(related, user)
        if choices is None:
            continue
        outside = related._default_manager.exclude(pk__in=choices.values("pk")).order_by("pk").first()
        if outside is None:
            continue
        tried.append(name)
        response = client.post(url, {**data, name: [str(outside.pk)], "_save": ["保存"]})
        assert response.status_code in (200, 403), f"{label}.{name} = {outside!r}: {response.status_code}"
        assert not written(world), f"{label}.{name} = {outside!r} wrote"
    assert tried or not relations, f"{label}: no relation could be pointed outside the scope"
    if label in WORLD_ROWS_THE_FORM_REFUSES:
        return
    response = client.post(url, {**data, "_save": ["保存"]})
    errors = [
        line.strip() for line in response.content.decode().splitlines() if "errorlist" in line or "errornote" in line
    ]
    assert response.status_code == 302, f"{label}: the unchanged form was refused ({errors[:3]})"
