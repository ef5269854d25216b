"""The build's reference date: what "today" means for overdue evaluations and statistics."""

from __future__ import annotations

import datetime as dt
import os


def reference_date(as_of: str | None = None) -> dt.date:
    """``as_of`` (YYYY-MM-DD), else the day of ``SOURCE_DATE_EPOCH`` (reproducible builds),
    else today."""
    if as_of:
        return dt.date.fromisoformat(as_of)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def epoch_of(day: dt.date) -> int:
    """Seconds since 1970 at midnight UTC of ``day`` (a SOURCE_DATE_EPOCH value)."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
