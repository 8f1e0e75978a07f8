"""``make check``: the seed still says what the ledger says, and ``data/`` still says what the ledger says.

Nothing is executed or written: every table is rebuilt in memory from the seed and compared
cell by cell with the CSV on disk, and the first difference is reported with the table, the
row and the claim it belongs to.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import inputs
from ..claims import Ledger, load_ledger
from ..errors import InputError
from ..paths import data_dir, relative
from ..tables import read_table, table_path, tables_from_ledger

# make check: after an edit of the annotations, data/ is behind them until the notebooks run again.
_REBUILD = " (after a change to seeds/, `make data` rebuilds data/ from the ledger)"


def _row_owner(row: pd.Series) -> str:
    if "claim_id" in row and pd.notna(row["claim_id"]):
        return f"claim {row['claim_id']!r}"
    if "figure_id" in row:
        return f"derived figure {row['figure_id']!r} (from {row['derived_from']})"
    return f"excluded words {row['figure']!r}"


def _shown(value) -> str:
    return "empty" if pd.isna(value) else repr(value.item() if hasattr(value, "item") else value)


def compare_table(name: str, stored: pd.DataFrame, expected: pd.DataFrame, path: Path, hint: str = "") -> None:
    """Raise InputError at the first cell where the stored table differs from the rebuilt one
    (``hint`` ends the message)."""
    shown = relative(path)
    if len(stored) != len(expected):
        raise InputError(shown, f"has {len(stored)} rows, but the ledger gives {len(expected)}{hint}")
    for index in range(len(expected)):
        want, have = expected.iloc[index], stored.iloc[index]
        for column in expected.columns:
            a, b = have[column], want[column]
            same = (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)
            if not same:
                raise InputError(
                    shown,
                    f"row {index + 1} ({_row_owner(want)}): {column} is {_shown(a)}, but the ledger gives {_shown(b)}"
                    f"{hint}",
                    line=index + 2,  # the header is line 1
                )


def verify_data(ledger: Ledger, folder: Path | None = None, stored: dict[str, pd.DataFrame] | None = None,
                hint: str = "") -> list[str]:
    """Compare every generated table in ``folder`` with the ledger; return the names checked.
    ``stored`` holds tables already read from ``folder`` (the fuzzing tests read them once)."""
    folder = folder or data_dir()
    checked = []
    for name, expected in tables_from_ledger(ledger).items():
        if stored is not None and name in stored:
            table = stored[name]
        elif table_path(name, folder).exists():
            table = read_table(name, folder)
        else:
            continue  # not built yet: `make data` writes it
        compare_table(name, table, expected, table_path(name, folder), hint)
        checked.append(name)
    return checked


def ledger_summary(ledger: Ledger) -> str:
    """What loading the ledger proved: every claim anchored in the seed, every number covered."""
    return (
        f"{len(ledger.claims)} claims anchored in {relative(ledger.article.path)}, "
        f"{len(ledger.exclusions)} exclusions, every number covered"
    )


def check_corrections(ledger: Ledger, folder: Path | None = None) -> int:
    """The hand-kept corrections log against its schema and the ledger; the number of corrections."""
    return inputs.check_corrections(table_path("corrections", folder), {claim.id for claim in ledger.claims})


def check() -> str:
    """Everything ``make check`` verifies; returns a one-line summary.

    Right after an edit of the annotations or the code, a table the edit changes is behind until
    ``make data`` runs its notebook again: one that differs from the ledger then is reported as
    waiting, not as wrong. Every other table must agree with the ledger."""
    from .generated import refuse_hand_edits
    from .pipeline import behind, discover

    ledger = load_ledger()
    corrections = check_corrections(ledger)
    notebooks = discover()
    due = {name: nb for nb in behind(notebooks) for name in nb.writes}
    agree, waiting = [], []
    for name, expected in tables_from_ledger(ledger).items():
        path = table_path(name)
        if not path.exists():
            continue  # not built yet: `make data` writes it
        try:
            compare_table(name, read_table(name), expected, path, _REBUILD)
            agree.append(name)
        except InputError:
            if relative(path) not in due:
                raise
            waiting.append(relative(path))
    refuse_hand_edits(notebooks)  # and no generated file (a chart too) differs from what its notebook last wrote
    summary = (f"{ledger_summary(ledger)}; {corrections} {'correction' if corrections == 1 else 'corrections'} "
               f"logged; {len(agree)} tables in {relative(data_dir())} agree with the ledger")
    if waiting:
        writers = sorted({due[path].path.stem for path in waiting})
        summary += (f", {len(waiting)} wait for `make data` (written by {', '.join(writers)}, which "
                    f"{'has' if len(writers) == 1 else 'have'} not run since what {'it is' if len(writers) == 1 else 'they are'} "
                    "made from changed)")
    return summary + "; no generated file or notebook output changed by hand"
