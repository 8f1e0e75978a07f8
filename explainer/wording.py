"""How dates read on the site and in the charts: one wording, whichever part shows them."""

from __future__ import annotations

import datetime as dt


def day(value: dt.date) -> str:
    """"25 February 2021"."""
    return f"{value.day} {value:%B %Y}"


def day_no_year(value: dt.date) -> str:
    """"25 February", for a span whose year is given once."""
    return f"{value.day} {value:%B}"


def at_precision(start: dt.date, end: dt.date, precision: str) -> str:
    """A date worded at the precision the article gives it: a day, "around" a day for a week,
    a month, a whole year — or, for a part of a year ("this year" up to today), its two ends."""
    if precision == "year":
        whole_year = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
        return f"{start.year}" if whole_year else f"{day(start)} – {day(end)}"
    if precision == "month":
        return f"{start:%B %Y}"
    if precision == "week":
        return f"around {day(start)}"
    return day(start)


def day_short(value: dt.date) -> str:
    """"25 Feb", for a label on a time axis that gives the year."""
    return f"{value.day} {value:%b}"


def listed(items: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def constraints_in_words(constraints: dict) -> str:
    """A column's Table Schema constraints as a reader reads them ("required; ≥ 0", "one of day,
    week"), for the data dictionary on the site and in the README alike."""
    words = []
    for key, value in constraints.items():
        if key == "required":
            words.append("required" if value else "optional")
        elif key == "enum":
            words.append("one of " + ", ".join(map(str, value)))
        elif key in ("minimum", "maximum"):
            words.append(f"{'≥' if key == 'minimum' else '≤'} {value}")
        elif key == "pattern":
            words.append(f"matches {value}")
        else:
            words.append(f"{key}: {value}")
    return "; ".join(words)
