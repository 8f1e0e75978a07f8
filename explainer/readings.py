"""Read a value out of the words of a quote: counts ("2,500", "three", "twice") and dates
("February 25", "January 2020", "last year", "on Saturday") resolved against a reference date.

Every reading returns the value and how precisely the text gives it, never more: "January 2020"
is a month, not the first of January.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_TIMES = {"once": 1, "twice": 2, "thrice": 3}
MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
WEEKDAYS = {name: number for number, name in enumerate(calendar.day_name)}

_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_MONTH = "|".join(MONTHS)
_WEEKDAY = "|".join(WEEKDAYS)

# Words that carry a number or a date in news prose. The coverage check uses this to list every
# such word in the article, so that each one is either in the ledger or excluded with a reason.
NUMERIC_WORDS = re.compile(
    r"\d[\d,]*\d|\d"
    r"|\b(?:" + "|".join([*_UNITS, *_TENS, *_MULTIPLIERS, *_TIMES]) + r")\b"
    r"|\b(?:several|couple|dozens?|half|few|many)\b"
    r"|\b(?:" + _MONTH + "|" + _WEEKDAY + r")\b"
    r"|\b(?:today|tonight|yesterday|tomorrow|weeks?|months?|years?|decades?)\b",
    re.IGNORECASE,
)


class ReadingError(ValueError):
    """The words do not state a value this module can read."""


def read_count(words: str) -> int:
    """A whole number written in digits ("2,500") or words ("three", "twenty-seven", "twice")."""
    text = words.strip().lower()
    if _DIGITS.fullmatch(text):
        digits = text.replace(",", "")
        if len(digits) > 19:  # int() of thousands of digits is refused by Python itself
            raise ReadingError(f"{words!r} is too large a count for the tables")
        return _in_range(words, int(digits))
    if text in _TIMES:
        return _TIMES[text]
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _MULTIPLIERS:
            current = max(current, 1) * _MULTIPLIERS[word]
            if _MULTIPLIERS[word] >= 1000:
                total, current = total + current, 0
        elif word != "and":
            raise ReadingError(f"{words!r} is not a number in digits or words")
    if total + current == 0:
        raise ReadingError(f"{words!r} is not a number in digits or words")
    return _in_range(words, total + current)


def _in_range(words: str, value: int) -> int:
    """Counts are stored as 64-bit integers in the tables: refuse what does not fit."""
    if value >= 2**63:
        raise ReadingError(f"{words!r} is too large a count for the tables")
    return value


@dataclass(frozen=True)
class DateReading:
    """A date as precisely as the text gives it: ``start``..``end`` is the span it covers."""

    start: dt.date
    end: dt.date
    precision: str  # "day", "week", "month" or "year"
    rule: str  # how the words were resolved, shown on the methods page


def read_date(words: str, reference: dt.date) -> DateReading:
    """Resolve a date expression against the reference date (the day the article reports).

    Words that name no real day ("February 30", or a date before year 1 or after 9999) are a
    ReadingError like any other unreadable date, never a bare ValueError."""
    try:
        return _read_date(words, reference)
    except ReadingError:
        raise
    except (ValueError, OverflowError) as error:
        raise ReadingError(f"{words!r} is not a real date ({error})") from None


def _read_date(words: str, reference: dt.date) -> DateReading:
    text = re.sub(r"^(?:on|in|by|since|from)\s+", "", words.strip(), flags=re.IGNORECASE)
    lowered = text.lower()

    if match := re.fullmatch(rf"({_MONTH}) (\d{{1,2}})", text):
        day = dt.date(reference.year, MONTHS[match[1]], int(match[2]))
        return DateReading(day, day, "day", "month and day, in the reference date's year")
    if match := re.fullmatch(rf"({_MONTH}) (\d{{4}})", text):
        year, month = int(match[2]), MONTHS[match[1]]
        last = calendar.monthrange(year, month)[1]
        return DateReading(dt.date(year, month, 1), dt.date(year, month, last), "month", "month and year as written")
    if match := re.fullmatch(_WEEKDAY, text):
        back = (reference.weekday() - WEEKDAYS[match[0]]) % 7
        day = reference - dt.timedelta(days=back)
        return DateReading(day, day, "day", "weekday: the latest such day on or before the reference date")
    if lowered == "last year":
        year = reference.year - 1
        return DateReading(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", "the year before the reference date's")
    if lowered == "this year":
        return DateReading(
            dt.date(reference.year, 1, 1),
            reference,
            "year",
            "the reference date's year, from 1 January to the reference date",
        )
    if lowered in {"the end of the year", "end of the year", "end of year"}:
        day = dt.date(reference.year, 12, 31)
        return DateReading(day, day, "day", "31 December of the reference date's year")
    if match := re.fullmatch(r"a couple of weeks|(\w+) weeks?", lowered):
        weeks = 2 if match[1] is None else read_count(match[1])
        day = reference + dt.timedelta(weeks=weeks)
        return DateReading(day, day, "week", f"{weeks} weeks after the reference date, approximately")
    raise ReadingError(f"{words!r} is not a date expression this project can resolve")
