"""Times: stored as naive UTC, typed and read in the office's local time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from avledger.errors import UserError

UTC = dt.UTC


def utcnow() -> dt.datetime:
    """Now, as naive UTC to the second (the form stored in the register)."""
    return dt.datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def to_local(value: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)


def from_local(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return value.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def fmt_local(value: dt.datetime | None, tz: ZoneInfo) -> str:
    local = to_local(value, tz)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def parse_local_datetime(text: str, tz: ZoneInfo, *, label: str = "时间", field: str | None = None) -> dt.datetime:
    """Parse "YYYY-MM-DD HH:MM" typed in local time; return naive UTC.

    A date alone is refused, not taken for midnight: the hour of an activity's start or of a loan's return
    sets the 24-hour deadline of its footage (F06), and a silent 00:00 would move it by up to a day."""
    raw = (text or "").strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            local = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return from_local(local, tz)
    try:
        dt.date.fromisoformat(raw)
    except ValueError:
        pass
    else:
        raise UserError(
            "input.time_missing",
            "{label}须写到时、分：“{value}”后加上时间，如 {value} 09:30",
            field=field,
            label=label,
            value=raw,
        )
    raise UserError(
        "input.bad_datetime", "{label}格式不对：“{value}”，应为 YYYY-MM-DD HH:MM", field=field, label=label, value=raw
    )


def parse_date(text: str, *, label: str = "日期", field: str | None = None) -> dt.date:
    raw = (text or "").strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UserError(
            "input.bad_date", "{label}不是有效日期：“{value}”，应为 YYYY-MM-DD", field=field, label=label, value=raw
        ) from None


def local_today(now_utc: dt.datetime, tz: ZoneInfo) -> dt.date:
    return to_local(now_utc, tz).date()
