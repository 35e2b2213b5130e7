"""The late policy of ``course.toml``: what a submission after its due time costs.

``[late]`` with ``policy`` one of

- ``"none"``: lateness is recorded (the gradebook's ``late`` column) and costs nothing;
- ``"zero"``: a late assignment scores 0;
- ``"percent"``: ``percent_per_day`` of the assignment's score per day late, a part of a day
  counting as a day, at most ``cap`` percent (default 100);

and ``grace_minutes`` (default 0): a submission at most that long after the due time is on time.
Past the grace period, days are counted from the due time itself (16 minutes late with 15 of grace
is one day late).
"""
import math
from dataclasses import dataclass
from datetime import timedelta

from autograder.kit.errors import KitError

POLICIES = ("none", "zero", "percent")
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Lateness:
    """How late one assignment came in, and the share of its score that costs."""

    days: int
    fraction: float

    def describe(self):
        unit = "day" if self.days == 1 else "days"
        return f"{self.days} {unit} late, -{self.fraction:.0%}"


@dataclass(frozen=True)
class LatePolicy:
    policy: str = "none"
    percent_per_day: float = 0.0
    cap: float = 100.0
    grace: timedelta = timedelta(0)

    @classmethod
    def from_table(cls, table, where):
        """The policy of a ``[late]`` table; ``where`` (``course.toml:14``) starts any error."""
        unknown = set(table) - {"policy", "percent_per_day", "cap", "grace_minutes"}
        if unknown:
            raise KitError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} in [late]; use policy, "
                           "percent_per_day, cap and grace_minutes")
        policy = table.get("policy", "none")
        if policy not in POLICIES:
            raise KitError(f"{where}: late policy {policy!r} is not one of {', '.join(POLICIES)}")
        values = {}
        for key, default in (("percent_per_day", 0.0), ("cap", 100.0), ("grace_minutes", 0.0)):
            value = table.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise KitError(f"{where}: [late] {key} must be a number of at least 0, not {value!r}")
            values[key] = float(value)
        if policy == "percent" and "percent_per_day" not in table:
            raise KitError(f"{where}: the percent late policy needs percent_per_day (like 10)")
        return cls(policy, values["percent_per_day"], min(values["cap"], 100.0),
                   timedelta(minutes=values["grace_minutes"]))

    def lateness(self, submitted, due):
        """The :class:`Lateness` of a submission at ``submitted`` for ``due`` (aware datetimes), or None."""
        if submitted is None or due is None or submitted <= due + self.grace:
            return None
        days = math.ceil((submitted - due) / DAY)
        if self.policy == "zero":
            return Lateness(days, 1.0)
        if self.policy == "percent":
            return Lateness(days, min(days * self.percent_per_day, self.cap) / 100)
        return Lateness(days, 0.0)
