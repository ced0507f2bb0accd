"""What the parts of the generator share: sizes at a scale, the year's days, seeded random streams,
the table writers, Chinese names, and exact-share profile lists."""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db.models import Model

from accountability.region.writer import Ids, TableWriter

#: Code prefix of generated units, people and households (``--replace`` finds them by it).
GEN = "GEN-"
#: Generated townships are numbered from this in their county (the demo and the bench use 101–115).
TOWNSHIP_NUMBER_FROM = 500
#: Opening of the minutes of every generated duty record (``--replace`` finds them by it).
RECORD_MARK = "【合成数据】"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰辉鹏建国红梅志文斌海波宁亮德成林福贵生有全发富兴旺春秋山"
PLACE_WORDS = "东西南北上下前后新红沟川台坪湾岔梁峪河寨堡庄塬岭泉山阳丰安和平"


@dataclass(frozen=True)
class Sizes:
    """Row targets at a scale (1.0 = one province like Gansu)."""

    scale: float

    def n(self, full: float, minimum: int = 1) -> int:
        """``full`` × scale, rounded, at least ``minimum``."""
        return max(minimum, round(full * self.scale))

    @property
    def townships(self) -> int:
        return self.n(1_200, 2)

    @property
    def villages(self) -> int:
        return self.n(16_000, 2 * self.townships)

    @property
    def households(self) -> int:
        return self.n(1_000_000, self.villages)

    @property
    def teams(self) -> int:
        return min(self.villages, self.n(7_300, 3))

    @property
    def provincial_units(self) -> int:
        return self.n(500, 4)

    @property
    def departments_per_county(self) -> int:
        return self.n(30, 1)


def quota(rng: random.Random, total: int, shares: dict[Any, float]) -> list[Any]:
    """A shuffled list of ``total`` keys in exactly these shares (largest remainder); when ``total``
    allows, every key appears at least once, so that small scales still have every kind of case."""
    keys = list(shares)
    weight = sum(shares.values())
    counts = {k: math.floor(total * shares[k] / weight) for k in keys}
    for k in sorted(keys, key=lambda k: -shares[k])[:total]:  # every key once, the commonest first
        counts[k] = max(counts[k], 1)
    rest = sorted(keys, key=lambda k: total * shares[k] / weight - math.floor(total * shares[k] / weight))
    while sum(counts.values()) < total:
        counts[rest.pop() if rest else keys[0]] += 1
    while sum(counts.values()) > total:
        biggest = max(keys, key=lambda k: counts[k])
        counts[biggest] -= 1
    out = [k for k in keys for _ in range(counts[k])]
    rng.shuffle(out)
    return out


@dataclass
class Region:
    """The run's state: the year, seeded random streams, writers, ids and what earlier parts built."""

    scale: float
    year: int
    seed: int
    out: Callable[[str], None]
    ids: Ids = field(default_factory=Ids)
    writers: dict[str, TableWriter] = field(default_factory=dict)
    # Built by the organisation part, read by the others.
    prefectures: list[dict[str, Any]] = field(default_factory=list)
    counties: list[dict[str, Any]] = field(default_factory=list)
    townships: list[dict[str, Any]] = field(default_factory=list)
    villages: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    #: Indexes into ``units`` of the units assisting each village (same order as ``villages``).
    village_units: list[list[int]] = field(default_factory=list)
    #: (person id, unit id) of the helpers created in each village (same order as ``villages``).
    village_helpers: list[list[tuple[int, int]]] = field(default_factory=list)
    #: Leader person ids of each unit index, with the households each still has to take.
    leader_quota: dict[int, list[list[int]]] = field(default_factory=dict)
    #: Posts of unit leaders: (person id, unit index).
    unit_leaders: list[tuple[int, int]] = field(default_factory=list)
    person_seq: int = 0
    #: Rows written outside the writers (places), by table.
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sizes = Sizes(self.scale)
        self.first_day = datetime.date(self.year, 1, 1)
        self.days_in_year = (datetime.date(self.year, 12, 31) - self.first_day).days + 1
        self.day_text = [str(self.first_day + datetime.timedelta(days=i)) for i in range(self.days_in_year)]
        self.stamp_text = [f"{day} 20:00:00+08:00" for day in self.day_text]
        self.march_31 = (datetime.date(self.year, 3, 31) - self.first_day).days

    def person(self, rng: random.Random, unit_id: int, rank: str, title: str = "") -> int:
        """Queue a new cadre of ``unit_id``; returns the id."""
        from tiers.models import Person

        pid = self.ids.take(Person)
        self.person_seq += 1
        people = self.writer("people", Person, ["id", "code", "name", "rank", "unit_id", "title", "phone", "user_id"])
        people.add((pid, f"{GEN}P{self.person_seq:07d}", person_name(rng), rank, unit_id, title, "", None))
        return pid

    def rng(self, part: str) -> random.Random:
        """An independent random stream for one part, fixed by the seed (string seeds hash with SHA-512)."""
        return random.Random(f"{self.seed}:{part}")

    def writer(self, name: str, model: type[Model], attnames: list[str]) -> TableWriter:
        """The writer of table ``name`` (one per model and run)."""
        if name not in self.writers:
            self.writers[name] = TableWriter(model, attnames)
        return self.writers[name]

    def day(self, index: int) -> datetime.date:
        """The date of day ``index`` (0 = 1 January) of the year."""
        return self.first_day + datetime.timedelta(days=index)

    def before_year(self, rng: random.Random, years_back: int = 2) -> str:
        """A date in the ``years_back`` years before the year (start of a long-running assignment)."""
        start = datetime.date(self.year - years_back, 1, 1)
        return str(start + datetime.timedelta(days=rng.randrange((self.first_day - start).days)))


def person_name(rng: random.Random) -> str:
    """A Chinese personal name of two or three characters."""
    given = rng.choice(GIVEN) if rng.random() < 0.35 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def place_name(rng: random.Random, suffix: str) -> str:
    """A two-character place name with ``suffix`` (镇, 乡, 村)."""
    return rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS) + suffix


def output(stdout: TextIO | None) -> Callable[[str], None]:
    """A line printer on ``stdout`` (silent when None)."""
    if stdout is None:
        return lambda line: None

    def write(line: str) -> None:
        stdout.write(line + ("" if line.endswith("\n") else "\n"))
        if hasattr(stdout, "flush"):
            stdout.flush()

    return write
