"""Date windows of the analysis, in the office's local calendar (``settings.TIME_ZONE``).

A window is a run of whole local days. Queries compare timestamps with the local midnights that
bound it, so an index on the timestamp serves them and daylight-saving days keep 23 or 25 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# A year earlier, on the same weekday: 52 weeks. CompStat compares Mondays with Mondays.
YEAR_SHIFT = timedelta(days=364)


@dataclass(frozen=True)
class Window:
    """Whole local days ``first`` through ``last``, both included."""

    first: date
    last: date

    def shifted(self, delta: timedelta) -> Window:
        return Window(self.first - delta, self.last - delta)

    @property
    def start(self) -> datetime:
        """The local midnight the window opens at (aware)."""
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """The local midnight after its last day (aware, excluded)."""
        return local_midnight(self.last + timedelta(days=1))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def year_earlier(day: date) -> date:
    """The same calendar day a year before (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def compstat_windows(as_of: date) -> dict[str, Window]:
    """CompStat's six windows ending ``as_of``: week to date (from Monday), the 28 days ending
    ``as_of`` and the year to date, each with its prior-year twin. Week and 28 days go back 364
    days so weekdays line up; the year to date is calendar-aligned (1 January to the same date)."""
    wtd = Window(as_of - timedelta(days=as_of.weekday()), as_of)
    d28 = Window(as_of - timedelta(days=27), as_of)
    ytd = Window(as_of.replace(month=1, day=1), as_of)
    prior_last = year_earlier(as_of)
    return {
        "wtd": wtd,
        "wtd_prior": wtd.shifted(YEAR_SHIFT),
        "d28": d28,
        "d28_prior": d28.shifted(YEAR_SHIFT),
        "ytd": ytd,
        "ytd_prior": Window(prior_last.replace(month=1, day=1), prior_last),
    }
