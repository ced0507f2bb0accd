"""How the rows of each kind of subject map to a violation: its key and the person, unit, place,
household and stationing it concerns. Each value is a SQL expression over the figure's row ``g``.

The place is the organisation the subject belongs to (the village of a household or a team, the
county of a county-level duty, the seat of a unit): scope and drill-down follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from households.models import Household
from tiers.choices import SubjectKind
from tiers.models import Person, Unit
from villagecorps.models import Team


@dataclass(frozen=True)
class Subject:
    """Columns of a figure row that identify the subject, and expressions for the violation's links."""

    key: tuple[str, ...]
    person: str = "NULL"
    unit: str = "NULL"
    place: str = "NULL"
    household: str = "NULL"
    membership: str = "NULL"


#: Each lookup expression made by ``_lookup``, with its table, column and the id it looks up by, so a
#: statement over every subject can join the table once instead (``place_join``).
LOOKUPS: dict[str, tuple[str, str, str]] = {}


def _lookup(model: type, column: str, by: str) -> str:
    table = model._meta.db_table
    expression = f"(SELECT x.{column} FROM {table} x WHERE x.id = {by})"
    LOOKUPS[expression] = (table, column, by)
    return expression


def place_join(subject: Subject, alias: str = "px") -> tuple[str, str]:
    """The subject's place as a join and a column: ``("JOIN t px ON px.id = g.x_id", "px.col")``, or
    no join and the plain expression when the place is a column of the figure row. A correlated
    lookup costs one index probe per subject; over a million subjects a hash join is cheaper."""
    if subject.place in LOOKUPS:
        table, column, by = LOOKUPS[subject.place]
        return f"JOIN {table} {alias} ON {alias}.id = {by}", f"{alias}.{column}"
    return "", subject.place


UNIT_PLACE = _lookup(Unit, "place_id", "g.unit_id")
TEAM_VILLAGE = _lookup(Team, "village_id", "g.team_id")


def _stationed(place: str) -> Subject:
    return Subject(
        key=("membership_id",),
        person="g.person_id",
        unit="g.dispatching_unit_id",
        place=place,
        membership="g.membership_id",
    )


SUBJECTS: dict[str, Subject] = {
    SubjectKind.CONTACT_LEADER_COUNTY: Subject(
        key=("person_id", "county_id"), person="g.person_id", place="g.county_id"
    ),
    SubjectKind.GROUP_LEADER_UNIT: Subject(key=("unit_id", "county_id"), unit="g.unit_id", place="g.county_id"),
    SubjectKind.ASSISTING_UNIT_IN_COUNTY: Subject(key=("unit_id", "county_id"), unit="g.unit_id", place="g.county_id"),
    SubjectKind.ASSISTING_UNIT: Subject(key=("unit_id",), unit="g.unit_id", place=UNIT_PLACE),
    SubjectKind.UNIT_LEADER: Subject(
        key=("person_id", "unit_id"), person="g.person_id", unit="g.unit_id", place=UNIT_PLACE
    ),
    SubjectKind.UNIT_CADRE: Subject(key=("id",), person="g.id", unit="g.unit_id", place=UNIT_PLACE),
    SubjectKind.STATIONED_CADRE: _stationed(TEAM_VILLAGE),
    SubjectKind.TEAM_MEMBER: _stationed(TEAM_VILLAGE),
    SubjectKind.COUNTY_CADRE: _stationed("g.county_id"),
    SubjectKind.PREFECTURE: Subject(key=("place_id",), place="g.place_id"),
    SubjectKind.COUNTY: Subject(key=("place_id",), place="g.place_id"),
    SubjectKind.TOWNSHIP: Subject(key=("place_id",), place="g.place_id"),
    SubjectKind.HELPER_HOUSEHOLD: Subject(
        key=("helper_id", "household_id"),
        person="g.helper_id",
        unit=_lookup(Person, "unit_id", "g.helper_id"),
        place=_lookup(Household, "village_id", "g.household_id"),
        household="g.household_id",
    ),
}


def key_sql(subject: Subject, alias: str = "f") -> str:
    """The subject key: its identifying ids joined with ``-`` (``"12-345"``)."""
    parts = [f"CAST({alias}.{column} AS TEXT)" for column in subject.key]
    return " || '-' || ".join(parts)
