"""One error type for bad input, printed as a single line that names the file and place."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: a seed, annotation, table, notebook or page the build cannot trust.

    ``str(error)`` reads like a compiler message, ``path:line: message``, so editors can jump
    straight to the place and CI logs stay one line per problem.
    """

    def __init__(self, path: str | Path | None, message: str, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class InputErrors(InputError):
    """Several problems found at once (every schema violation of one file): one line each."""

    def __init__(self, errors: list[InputError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.path, first.message, first.line)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
