"""Errors the platform raises on purpose.

Every error that comes from bad input carries where it is (file, row, field) so the CLI can
print one clear line and the dashboard a readable message, instead of a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One problem (or repair) found in an input: where it is and what is wrong."""

    message: Any  # str, or a restoration.messages.Message (str() gives the English text)
    source: str | None = None  # file name or form
    row: int | None = None  # 1-based row (CSV: line number in the file)
    field: str | None = None
    row_label: str = "row"  # "line" for CSV files, "feature" for vector files
    #: set on a count that stands for problems not listed one by one ("... and 9,800 more rows"):
    #: the rows they are in, one problem each, so a summary of the summary counts them all
    hidden_rows: tuple[int, ...] | None = None

    @property
    def problems(self) -> int:
        """How many problems this issue stands for: 1, or one per hidden row of a count."""
        return 1 if self.hidden_rows is None else len(self.hidden_rows)

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.row is not None:
            where.append(f"{self.row_label} {self.row}")
        if self.field and self.field.startswith("-"):
            where.append(f"argument {self.field}")  # a command-line option, e.g. --crs
        elif self.field:
            where.append(f"field '{self.field}'")
        return (", ".join(where) + ": " if where else "") + str(self.message)


class RestorationError(Exception):
    """Base class for errors the platform reports to users."""

    exit_code = 1


class InputError(RestorationError):
    """Bad input: a file, row or field that cannot be accepted. Nothing was written."""

    exit_code = 2

    def __init__(self, issues: list[Issue] | Issue | str, *, partial=None):
        if isinstance(issues, (str, Issue)):
            issues = [issues if isinstance(issues, Issue) else Issue(issues)]
        self.issues = list(issues)
        #: what could be read of a refused table (bad cells blank), so that further checks —
        #: a bank project's unit, trajectory, footprint — still run in the same pass
        self.partial = partial
        super().__init__(self._text())

    def _text(self, limit: int = 30) -> str:
        shown, rest = self.issues[:limit], self.issues[limit:]
        lines = [str(i) for i in shown]
        if rest:
            # a count beyond a per-problem cap stands for its hidden rows, not for one problem
            seen = {(i.source, i.row) for i in shown if i.row is not None}
            rows = {(i.source, i.row) for i in rest if i.row is not None}
            rows |= {(i.source, r) for i in rest for r in (i.hidden_rows or ())}
            n_rows = len(rows - seen)
            lines.append(f"... and {sum(i.problems for i in rest):,} more problems"
                         + (f" in {n_rows:,} more rows" if n_rows else ""))
        return "\n".join(lines)


class ResourceError(RestorationError):
    """The machine refused, not the input: the disk is full, a folder may not be written, the file
    system is read-only. The write was undone (a store transaction rolled back, an output file not
    left half-written); the message says what to free or change."""

    exit_code = 2


class StoreError(RestorationError):
    """The store file is missing, unreadable, or from an unknown schema version."""

    exit_code = 2


class NotFoundError(RestorationError):
    """A record that was asked for does not exist."""

    exit_code = 2


class ConflictError(RestorationError):
    """Optimistic-locking conflict: the record changed since it was read. ``message``: a string or
    a :class:`restoration.messages.Message` (``str()``: English; pages word it in their language)."""

    exit_code = 4

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class PermissionDenied(RestorationError):
    """The acting user's role or region does not allow this action. Nothing was written.
    ``message``: a :class:`restoration.messages.Message` (``denied.*``; ``str()``: English) that
    the dashboards word in the interface language (or a plain string)."""

    exit_code = 5

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class InsufficientCapacityError(RestorationError):
    """A bank project has less remaining capacity than was asked for. ``message`` is a
    :class:`restoration.messages.Message` (``str()``: English) that the dashboards word in the
    interface language."""

    exit_code = 3

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class DiskFullError(ResourceError):
    """No space left on the device (or a quota reached) while writing a file: nothing was
    written. A :class:`ResourceError` (exit code 2): the machine refused, not the input."""
