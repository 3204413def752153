"""When people answer handoffs: 'mon-fri 09:00-18:00; sat 10:00-16:00' in one IANA time zone.
An empty spec means always open."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(r"^\s*(?P<d1>[a-z]{3})(?:\s*-\s*(?P<d2>[a-z]{3}))?\s+(?P<t1>\d{1,2}:\d{2})\s*-\s*(?P<t2>\d{1,2}:\d{2})\s*$")


class BadHours(ValueError):
    pass


def _clock(text: str) -> time:
    h, m = (int(x) for x in text.split(":"))
    if h == 24 and m == 0:
        return time.max
    if not (0 <= h < 24 and 0 <= m < 60):
        raise BadHours(f"not a time of day: {text!r}")
    return time(h, m)


@dataclass(frozen=True)
class BusinessHours:
    spec: str = ""
    tz: str = "UTC"
    windows: dict[int, list[tuple[time, time]]] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, spec: str, tz: str = "UTC") -> BusinessHours:
        windows: dict[int, list[tuple[time, time]]] = {}
        for part in filter(str.strip, spec.lower().replace(",", ";").split(";")):
            m = _PART.match(part)
            if not m or m["d1"] not in DAYS or (m["d2"] and m["d2"] not in DAYS):
                raise BadHours(f"can't read business hours {part.strip()!r}: write e.g. 'mon-fri 09:00-18:00'")
            d1 = DAYS.index(m["d1"])
            d2 = DAYS.index(m["d2"]) if m["d2"] else d1
            start, end = _clock(m["t1"]), _clock(m["t2"])
            if end <= start:
                raise BadHours(f"{part.strip()!r}: the end must come after the start")
            for d in range(d1, d2 + 1) if d2 >= d1 else [*range(d1, 7), *range(0, d2 + 1)]:
                windows.setdefault(d, []).append((start, end))
        ZoneInfo(tz)  # fail early on a bad zone
        return cls(spec, tz, windows)

    @property
    def always(self) -> bool:
        return not self.windows

    def _local(self, now: datetime | None) -> datetime:
        return (now or datetime.now(timezone.utc)).astimezone(ZoneInfo(self.tz))

    def is_open(self, now: datetime | None = None) -> bool:
        if self.always:
            return True
        local = self._local(now)
        return any(a <= local.time() < b for a, b in self.windows.get(local.weekday(), []))

    def next_open(self, now: datetime | None = None) -> datetime | None:
        """The next opening time (aware), None when open now or always open."""
        if self.is_open(now):
            return None
        local = self._local(now)
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            for start, _end in sorted(self.windows.get(day.weekday(), [])):
                opening = datetime.combine(day, start, tzinfo=local.tzinfo)
                if opening > local:
                    return opening
        return None

    def describe(self) -> str:
        return "any time" if self.always else f"{self.spec} ({self.tz})"
