"""The shared parts of the roster resources: cached lookups, matching rows on stable keys, and the
checks that run once per sheet instead of once per row (issue 9).

The library's default path asks the database once per row for the row's instance and once per
foreign key. Here each resource loads, once per import, the instances its rows name (by their stable
keys) and the rows they refer to (villages, helpers, households), so a sheet of 100,000 rows is a
handful of queries plus the library's bulk writes.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from import_export import resources, widgets
from simple_history.models import registered_models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


def history_of(model: type) -> bool:
    """Whether django-simple-history keeps the model's changes."""
    return model in registered_models.values()


class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by code, looked up in a dict loaded once (``load``), not one query per row.

    ``filter`` narrows the rows a code may name (e.g. villages only)."""

    def __init__(self, model: type, field: str = "code", *, missing: Any, filter: dict | None = None) -> None:
        super().__init__(model, field)
        self.cache: dict[str, Any] = {}
        self.codes: dict[int, str] = {}
        self.missing = missing
        self.filter = filter or {}

    def load(self, codes: set[str]) -> None:
        queryset = self.model.objects.filter(**self.filter, **{f"{self.field}__in": codes})
        self.cache = {getattr(o, self.field): o for o in queryset}
        self.codes = {o.pk: code for code, o in self.cache.items()}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value in (None, ""):
            return None
        try:
            return self.cache[str(value)]
        except KeyError:
            raise ValueError(str(self.missing) % {"code": value}) from None


class CachedManyWidget(widgets.ManyToManyWidget):
    """Several rows named in one cell, separated by 、 ， or ；: by code, or by any of ``also`` (e.g. the
    name). A name may itself hold a 、 (县（市、区）…): the longest run of 、-separated pieces that is a
    known name wins."""

    SEPARATORS = re.compile(r"[,，;；\n]")

    def __init__(self, model: type, field: str = "code", *, missing: Any, also: tuple[str, ...] = ()) -> None:
        super().__init__(model, field=field)
        self.cache: dict[str, Any] = {}
        self.missing = missing
        self.also = also

    def candidates(self, value: str | None) -> set[str]:
        """Every text a cell could name: each run of its 、-separated pieces."""
        found = set()
        for part in (p.strip() for p in self.SEPARATORS.split(value or "") if p.strip()):
            pieces = [piece.strip() for piece in part.split("、")]
            found |= {"、".join(pieces[i:j]) for i in range(len(pieces)) for j in range(i + 1, len(pieces) + 1)}
        return found

    def load(self, values: set[str]) -> None:
        query = Q(**{f"{self.field}__in": values})
        for name in self.also:
            query |= Q(**{f"{name}__in": values})
        self.cache = {}
        for o in self.model.objects.filter(query):
            for name in (*self.also, self.field):
                self.cache[str(getattr(o, name))] = o

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list:
        found, missing = [], []
        for part in (p.strip() for p in self.SEPARATORS.split(value or "") if p.strip()):
            pieces = [piece.strip() for piece in part.split("、")]
            i = 0
            while i < len(pieces):
                for j in range(len(pieces), i, -1):
                    if (text := "、".join(pieces[i:j])) in self.cache:
                        found.append(self.cache[text])
                        i = j
                        break
                else:
                    missing.append(pieces[i])
                    i += 1
        if missing:
            raise ValueError(str(self.missing) % {"code": "、".join(missing)})
        return list(dict.fromkeys(found))


class CodedResource(resources.ModelResource):
    """A resource whose rows are matched on a stable key, with its existing instances preloaded.

    ``key`` names the model fields that identify a row: its own code (``("code",)``), or foreign keys
    by the code its row names plus dates (``("helper", "household", "start")``). Existing instances
    are loaded once: by code, or — with ``anchor`` — every row of the ``anchor`` rows the sheet names
    (the pairings of its households).

    Unchanged rows are found by comparing the instance's plain column values (``compare``, e.g.
    ``village_id``) before and after the row is applied, instead of the library's diff, which deep-copies
    every instance with its related objects and renders an HTML diff per row (``skip_diff``)."""

    class Meta:
        # Inherited by every roster resource: unchanged rows are skipped without the library's diff,
        # rows are written in batches, and the model's checks run in ``before_save_instance``.
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        use_bulk = True
        batch_size = 5000
        clean_model_instances = False

    key: tuple[str, ...] = ("code",)
    anchor: str | None = None
    existing: dict[Any, Any]
    compare: tuple[str, ...] = ()
    keep_when_empty: tuple[str, ...] = ()
    _before: dict[str, Any] | None = None
    #: The import's effective date (set by the import service): missing rows are ended on it.
    as_of: datetime.date | None = None
    _lookups: dict[str, Any] | None = None

    def lookups(self) -> dict[str, Any]:
        """The columns looked up by code (foreign keys, many-to-many), by field name."""
        if self._lookups is None:
            self._lookups = {
                n: f.widget
                for n, f in self.fields.items()
                if isinstance(f.widget, CachedForeignKeyWidget | CachedManyWidget)
            }
        return self._lookups

    def preload(self, dataset: Any) -> None:
        for name, widget in self.lookups().items():
            values = dataset[name]
            if isinstance(widget, CachedManyWidget):
                widget.load({text for value in values for text in widget.candidates(value)})
            else:
                widget.load({v for v in values if v not in (None, "")})
        self.existing = {self.key_of(o): o for o in self.existing_queryset(dataset)}

    def existing_queryset(self, dataset: Any) -> Any:
        model = self._meta.model
        if self.anchor is None:
            return model.objects.filter(**{f"{self.key[0]}__in": set(dataset[self.key[0]])})
        return model.objects.filter(**{f"{self.anchor}__in": list(self.lookups()[self.anchor].cache.values())})

    def key_of(self, instance: Any) -> tuple:
        """The key of an instance, as a row writes it (foreign keys by code)."""
        lookups = self.lookups()
        return tuple(
            lookups[f].codes.get(getattr(instance, f"{f}_id")) if f in lookups else getattr(instance, f)
            for f in self.key
        )

    def instance_key(self, row: Any) -> tuple:
        return tuple(row[f] for f in self.key)

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        return self.existing.get(self.instance_key(row))

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        self.rows_seen: list[tuple[Any, int]] = []
        self.preload(dataset)
        self.ended_rows = self.end_missing(dataset)

    def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
        self._before = None if new else {name: getattr(instance, name) for name in self.compare}
        self.rows_seen.append((instance, kwargs.get("row_number", 0)))

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        """Apply the row; an empty optional cell (``keep_when_empty``) keeps an existing row's value."""
        super().import_instance(instance, row, **kwargs)
        if self._before is not None:
            for name in self.keep_when_empty:
                if row.get(name) in (None, ""):
                    setattr(instance, name, self._before[name])

    #: Called as ``progress(rows done)`` every ``PROGRESS_EVERY`` rows (set by the import service).
    progress: Any = None
    PROGRESS_EVERY = 2000
    _rows = 0

    def after_import_row(self, row: Any, row_result: Any, **kwargs: Any) -> None:
        self._rows += 1
        if self.progress and self._rows % self.PROGRESS_EVERY == 0:
            self.progress(self._rows)

    # -- writes, with their history ------------------------------------------------------------------

    #: Who imports, and what the history rows of this import say (set by the import service).
    user: Any = None
    change_reason: str = ""

    def _history_kwargs(self) -> dict[str, Any]:
        user = self.user if getattr(self.user, "is_authenticated", False) else None
        return {"default_user": user, "default_change_reason": self.change_reason}

    def bulk_create(self, using_transactions: bool, dry_run: bool, raise_errors: bool, batch_size: Any = None,
                    result: Any = None) -> None:  # fmt: skip
        """The library's batch insert, with a django-simple-history row per new record (who, when, why)."""
        if not self.create_instances:
            return
        try:
            with transaction.atomic():  # a refused batch leaves the import's transaction usable, to report it
                if history_of(self._meta.model):
                    bulk_create_with_history(
                        self.create_instances, self._meta.model, batch_size=batch_size, **self._history_kwargs()
                    )
                else:
                    self._meta.model.objects.bulk_create(self.create_instances, batch_size=batch_size)
        except Exception as exc:  # noqa: BLE001 — reported as the sheet's problem, and the import rolled back
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions: bool, dry_run: bool, raise_errors: bool, batch_size: Any = None,
                    result: Any = None) -> None:  # fmt: skip
        """The library's batch update, with a history row per changed record (the previous row of its
        history holds the values before)."""
        if not self.update_instances:
            return
        try:
            with transaction.atomic():
                self._update(self.update_instances, self.get_bulk_update_fields(), batch_size)
        except Exception as exc:  # noqa: BLE001 — reported as the sheet's problem, and the import rolled back
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.update_instances.clear()

    def _update(self, instances: list[Any], fields: list[str], batch_size: Any = None) -> None:
        model = self._meta.model
        if history_of(model):
            bulk_update_with_history(instances, model, fields, batch_size=batch_size, **self._history_kwargs())
        else:
            model.objects.bulk_update(instances, fields, batch_size=batch_size)

    #: Fields set by the resource rather than by a column, written with the rest on an update.
    extra_updates: tuple[str, ...] = ()

    def get_bulk_update_fields(self) -> list[str]:
        """The model fields an update writes: the columns' (not the key's, nor columns that are no field of
        the model, such as a place's parent) and ``extra_updates``."""
        names = {f.name for f in self._meta.model._meta.concrete_fields}
        return [f for f in (*super().get_bulk_update_fields(), *self.extra_updates) if f in names]

    #: Fields not checked per row by ``clean_fields`` (foreign keys are: the widget has resolved them,
    #: and checking would cost a query per row).
    unchecked: tuple[str, ...] = ()

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        """The model's own checks (field validators, choices, and ``clean_own`` — the checks that need no
        other row — or ``clean``) before it is written; a ``ValidationError`` makes the row invalid,
        with the fields it names. Overlaps with other rows are checked for the whole sheet afterwards."""
        instance.clean_fields(exclude=[*self.unchecked, *self.lookups()])
        if hasattr(instance, "clean_own"):
            if errors := instance.clean_own():
                raise ValidationError(errors)
        else:
            instance.clean()

    def skip_row(self, instance: Any, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if import_validation_errors or self._before is None:
            return False
        return all(getattr(instance, name) == value for name, value in self._before.items())

    # -- once per sheet -------------------------------------------------------------------------------

    #: The foreign key whose rows the sheet lists in full (pairings of a household, members of a team):
    #: an open row of a named ``ends_missing`` that the sheet no longer lists is ended on ``as_of``.
    ends_missing: str | None = None

    def end_missing(self, dataset: Any) -> list[Any]:
        """End (on ``as_of``) the open rows of the ``ends_missing`` the sheet names that it does not list.

        Done before the sheet's rows are applied, so a row that replaces an ended one is checked
        against the ended row's new dates."""
        if not self.ends_missing or self.as_of is None:
            return []
        listed = {self.instance_key(dict(zip(dataset.headers, values, strict=True))) for values in dataset}
        named = {v for v in dataset[self.ends_missing]}
        codes = self.lookups()[self.ends_missing].codes
        ended = []
        for key, instance in self.existing.items():
            if key in listed or codes.get(getattr(instance, f"{self.ends_missing}_id")) not in named:
                continue
            if instance.start <= self.as_of and (instance.end is None or instance.end > self.as_of):
                instance.end = self.as_of
                ended.append(instance)
        self._update(ended, ["end"], batch_size=5000)
        return ended

    def sheet_problems(self) -> list[tuple[int | None, str, str]]:
        """Problems found across the sheet once its rows are written, as (row number, field, message):
        rows of the model's ``exclusive`` groups whose dates overlap (one helper per household at a
        time, one village per cadre…). One query for the whole sheet, not one per row."""
        model = self._meta.model
        exclusive = getattr(model, "exclusive", None)
        if not exclusive:
            return []
        row_of = {instance.pk: number for instance, number in self.rows_seen if instance.pk}
        columns = [f"{f}_id" for f in exclusive]
        groups = {getattr(instance, columns[0]) for instance, _number in self.rows_seen}
        spans = defaultdict(list)
        rows = model.objects.filter(**{f"{columns[0]}__in": groups}).values_list("pk", *columns, "start", "end")
        for pk, *group, start, end in rows.iterator(chunk_size=10000):
            spans[tuple(group)].append((start, end or datetime.date.max, pk))
        clashes: list[tuple[int, int]] = []
        for group_spans in spans.values():
            group_spans.sort()
            reach: tuple[datetime.date, int] | None = None  # the furthest end so far, and its row
            for start, end, pk in group_spans:
                if reach is not None and start <= reach[0]:
                    clashes.append((pk, reach[1]))
                if reach is None or end > reach[0]:
                    reach = (end, pk)
        problems = []
        for pk, other in clashes[:200]:
            number = max((n for n in (row_of.get(pk), row_of.get(other)) if n), default=None)
            if number is None:
                continue  # two rows the sheet does not name: not this import's doing
            shown = other if row_of.get(pk) == number else pk
            problems.append((number, "end", _("与「%(other)s」的时间重叠：同一时期只能有一条，请先结束原记录。")
                             % {"other": model.objects.get(pk=shown)}))  # fmt: skip
        return problems
