"""Reads of the rosters app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from rosters.models import RosterImport


def roster_imports(*, user: Any) -> QuerySet[RosterImport]:
    """The roster imports ``user`` may read: their own; a superuser's, all of them.

    An import's record names the workbook, its rows' problems and the people and households it wrote, for
    the whole province (administrators are granted on the province): one administrator's uploads are not
    another's to read, in the upload pages or in the admin (issue 17)."""
    records = RosterImport.objects.all()
    return records if user.is_superuser else records.filter(user=user)
