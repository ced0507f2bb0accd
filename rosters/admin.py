"""The record of roster imports, read-only, with the template one click away: an administrator sees their
own imports, a superuser everyone's (``rosters.selectors.roster_imports``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rosters.models import RosterImport
from rosters.selectors import roster_imports


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "file_name", "outcome", "dry_run", "user", "seconds")
    list_filter = ("outcome", "dry_run")
    search_fields = ("file_name", "sha256")
    readonly_fields = [f.name for f in RosterImport._meta.fields]
    change_list_template = "rosters/admin_change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[RosterImport]:
        return roster_imports(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
