"""The synthetic region generator (``manage.py generate_region``): a province of villages, households,
teams and duty records for benchmarks and load tests, with a realistic share of non-compliance."""

from accountability.region.service import NOT_EMPTY, RegionNotEmpty, delete_generated, generate_region

__all__ = ["NOT_EMPTY", "RegionNotEmpty", "delete_generated", "generate_region"]
