"""Calendar months as the tracker names them ('YYYY-MM'): the running month, the last complete one, month arithmetic."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd


def current_month() -> str:
    """The calendar month running now ('YYYY-MM'): its figures are partial until it ends."""
    return date.today().strftime("%Y-%m")


def last_complete_month(months: Sequence[str]) -> str | None:
    """The default end of a period: the latest month that has ended (the running month only when it is all there is)."""
    ended = [m for m in months if m < current_month()]
    return ended[-1] if ended else (months[-1] if months else None)


_EPOCH_YEAR = 1970  # ordinals count months from Jan 1970, as pandas' monthly periods do


def ordinal(month: str) -> int:
    """A month as a whole number that counts months (pandas' Period ordinal), so differences are months apart.
    'YYYY-MM' is read directly: projections call this thousands of times and a Period costs a hundred times more."""
    text = str(month)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        return (int(text[:4]) - _EPOCH_YEAR) * 12 + int(text[5:]) - 1
    return pd.Period(text, "M").ordinal


def from_ordinal(number: int) -> str:
    years, month = divmod(int(number), 12)
    return f"{years + _EPOCH_YEAR:04d}-{month + 1:02d}"


def shift(month: str, months: int) -> str:
    """The month `months` after `month` (before it when negative)."""
    return from_ordinal(ordinal(month) + months)


def label(month: str | None) -> str:
    """'Mar 2026'; the running month reads 'Mar 2026 to date', so a partial month never passes for a whole one."""
    if not month:
        return "no data yet"
    text = pd.Period(month, "M").strftime("%b %Y")
    return f"{text} to date" if month == current_month() else text
