"""A schema field's `pattern` constraint, compiled with RE2: its matching time is linear in
the cell's length whatever the pattern, where Python's `re` backtracks (`(a+)+$` on forty
`a`s and a `b` runs for hours and holds the worker). RE2 refuses what needs backtracking
(back-references, look-arounds); the Table Schema's patterns (XML Schema regular
expressions) have neither.

Pure module (no Django)."""

from __future__ import annotations

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is the steward's message, not a server log
# A pattern is typed by a steward; its compiled automaton is kept small.
_OPTIONS.max_mem = 8 << 20


class PatternError(ValueError):
    pass


def compile_pattern(pattern):
    """The compiled pattern (its `fullmatch` is linear time); PatternError saying why not."""
    if not isinstance(pattern, str):
        raise PatternError("a pattern is text")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason)) from None
