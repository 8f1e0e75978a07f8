"""Values are read from the words themselves, at the precision the words give."""

import datetime as dt

import pytest

from explainer.readings import ReadingError, read_count, read_date

MONDAY = dt.date(2021, 7, 26)


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("2,500", 2500),
        ("500,000", 500000),
        ("27", 27),
        ("three", 3),
        ("Three", 3),
        ("twice", 2),
        ("once", 1),
        ("twenty-seven", 27),
        ("one hundred and five", 105),
        ("two thousand five hundred", 2500),
    ],
)
def test_counts(words, value):
    assert read_count(words) == value


@pytest.mark.parametrize("words", ["several", "a few", "2.5", "", "many"])
def test_not_counts(words):
    with pytest.raises(ReadingError):
        read_count(words)


@pytest.mark.parametrize(
    ("words", "start", "end", "precision"),
    [
        ("February 25", "2021-02-25", "2021-02-25", "day"),
        ("on June 28", "2021-06-28", "2021-06-28", "day"),
        ("January 2020", "2020-01-01", "2020-01-31", "month"),
        ("last year", "2020-01-01", "2020-12-31", "year"),
        ("This year", "2021-01-01", "2021-07-26", "year"),
        ("by the end of the year", "2021-12-31", "2021-12-31", "day"),
        ("on Saturday", "2021-07-24", "2021-07-24", "day"),
        ("on Monday", "2021-07-26", "2021-07-26", "day"),
        ("in a couple of weeks", "2021-08-09", "2021-08-09", "week"),
    ],
)
def test_dates_resolve_against_the_reference_date(words, start, end, precision):
    reading = read_date(words, MONDAY)
    assert (reading.start.isoformat(), reading.end.isoformat(), reading.precision) == (start, end, precision)
    assert reading.rule


@pytest.mark.parametrize("words", ["soon", "next spring", "February 30"])
def test_unreadable_dates(words):
    with pytest.raises(ReadingError):
        read_date(words, MONDAY)
