"""Errors raised by the equivalence engine."""
from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario is invalid. ``path`` is the key path that is wrong, e.g. ``injury.levels[2]``.

    ``message`` is the English text; ``code`` and ``params`` (when set) describe the same problem
    for an interface that words it in its own language (``scenario.<code>`` in the dashboards'
    dictionaries; ``params`` are plain numbers and words)."""

    def __init__(self, path: str, message: str, code: str | None = None, params: dict | None = None):
        self.path = path
        self.message = message
        self.code = code
        self.params = dict(params or {})
        super().__init__(f"{path}: {message}" if path else message)
