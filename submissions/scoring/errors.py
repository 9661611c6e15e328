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


# Every refusal a scorer gives, as a code and its English sentence (`{name}` fields are filled from the
# parameters; quoted values are already cut by `show`). The platform keeps the same codes with
# translated sentences (submissions/texts.py SCORING_PROBLEMS), so a stored refusal is shown in the
# reader's language; a code missing there falls back to this English text.
PROBLEMS: dict[str, str] = {
    "empty_file": "the file is empty",
    "no_data_rows": "the truth file has no data rows",
    "header": "the header must be exactly {expected}, found {found}",
    "stray_cr": "the line contains a carriage return (CR) that is not part of a CRLF line end",
    "blank_line": "the line is blank (only the final line end of the file may be followed by nothing)",
    "not_utf8": "the line is not valid UTF-8 text (byte 0x{byte} at position {position}); save the file with UTF-8 encoding",
    "unclosed_quote": "a quoted field is not closed (quoted fields cannot span lines)",
    "quote_then_text": "a closing double quote must be followed by a comma or the end of the line",
    "stray_quote": 'a double quote may only appear in a field enclosed in double quotes (as "")',
    "field_count": "expected {expected} fields ({names}) but found {found}",
    "empty_value": "{column} is empty",
    "not_finite": "{column} {value} is not a finite number",
    "not_number": "{column} {value} is not a number",
    "too_large_number": "{column} {value} is not a finite number (it is too large)",
    "not_whole": "{column} {value} is not a whole number",
    "not_count": "{column} {value} is not a whole number of 0 or more",
    "out_of_range": "{column} {value} is out of range (at most 19 digits)",
    "negative": "{column} {value} must be 0 or more",
    "not_a_choice": "{column} {value} must be one of: {choices}",
    "too_large_file": "the file is larger than the limit of {limit}",
    "too_large_inflated": "once decompressed, the file is larger than the limit of {limit}",
    "gzip_inconsistent": "the gzip-compressed data could not be read consistently",
    "gzip_corrupt": "the gzip-compressed data is corrupt or truncated ({detail})",
    "not_gzip": "the file name ends in .gz but its content is not gzip-compressed",
}


def problem_text(code: str, params: dict) -> str:
    return PROBLEMS[code].format(**params)


class ScoringValidationError(Exception):
    """A truth or submission file that breaks the contract of /work/shared/spec/scoring.md.

    `message` is the full human message (it starts with "line N: " when one line is at fault),
    `problem` the same without the line prefix, `line` the 1-based line number (the header is
    line 1) or None, and `side` says which file is at fault. `str(exc)` equals `message`.
    `code` and `params` name the problem for a translation (PROBLEMS); "" when the message is
    composed (the id checks of matching.py), whose English `problem` is then shown as it is.
    Not a ValueError on purpose: a bad parameter (ValueError) is the organizer's configuration
    problem, a refused file is a final status for the team.
    """

    def __init__(
        self,
        problem: str,
        *,
        line: int | None = None,
        side: Side = "submission",
        code: str = "",
        params: dict | None = None,
    ) -> None:
        self.problem = problem
        self.code = code
        self.params = dict(params or {})
        self.line = line
        self.side: Side = side
        self.message = f"line {line}: {problem}" if line is not None else problem
        super().__init__(self.message)

    @classmethod
    def of(cls, code: str, *, line: int | None = None, side: Side = "submission", **params) -> ScoringValidationError:
        """The refusal `code` (a key of PROBLEMS) with its parameters."""
        return cls(problem_text(code, params), line=line, side=side, code=code, params=params)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ScoringValidationError({self.message!r}, side={self.side!r})"
