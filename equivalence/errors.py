"""Errors raised by the equivalence engine."""
from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario is invalid. ``path`` is the key path that is wrong, e.g. ``injury.levels[2]``."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)
