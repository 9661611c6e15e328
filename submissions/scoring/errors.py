"""The one exception a scorer raises for a file it refuses."""

from __future__ import annotations

from typing import Literal

Side = Literal["submission", "truth"]

# Values quoted in messages are cut so that a 10 MB "id" cannot flood a web page or a log line.
_MAX_SHOWN = 60


def show(value: str) -> str:
    """Quote a value from a file for a one-line message (newlines and controls escaped, long values cut)."""
    if len(value) > _MAX_SHOWN:
        return repr(value[:_MAX_SHOWN]) + "…"
    return repr(value)


class ScoringValidationError(Exception):
    """A truth or submission file that breaks the contract of /work/shared/spec/scoring.md.

    `message` is the full human message (it starts with "line N: " when one line is at fault),
    `problem` the same without the line prefix, `line` the 1-based line number (the header is
    line 1) or None, and `side` says which file is at fault. `str(exc)` equals `message`.
    Not a ValueError on purpose: a bad parameter (ValueError) is the organizer's configuration
    problem, a refused file is a final status for the team.
    """

    def __init__(self, problem: str, *, line: int | None = None, side: Side = "submission") -> None:
        self.problem = problem
        self.line = line
        self.side: Side = side
        self.message = f"line {line}: {problem}" if line is not None else problem
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ScoringValidationError({self.message!r}, side={self.side!r})"
