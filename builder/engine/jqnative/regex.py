"""The regexes the fast path may compile: those Python's ``re`` and jq's Oniguruma (Perl_NT syntax) read
alike on ASCII text. Anything else is ``Unsupported``, so ``test``/``sub``/``gsub`` with it stay with jq.
"""

from __future__ import annotations

import re

from builder.engine.jqnative.values import Unsupported


_REGEX_CLASS_ESCAPES = set("dDwWsS")
_REGEX_META_ESCAPES = set(".^$|?*+()[]{}\\/-")


def _safe_regex(pattern: str, flags: int) -> re.Pattern[str]:
    """Compile a regex whose meaning Python's re and Oniguruma (Perl_NT syntax) share on ASCII
    text; anything else is Unsupported."""
    if not pattern.isascii() or not pattern.isprintable():
        raise Unsupported("regex with non-ASCII or control characters")
    i, n = 0, len(pattern)
    depth = 0
    previous_quantifiable = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise Unsupported("trailing backslash")
            nxt = pattern[i + 1]
            if nxt not in _REGEX_CLASS_ESCAPES and nxt not in _REGEX_META_ESCAPES:
                raise Unsupported(f"regex escape \\{nxt}")
            i += 2
            previous_quantifiable = True
            continue
        if ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                raise Unsupported("] first in a class")
            while j < n and pattern[j] != "]":
                if pattern[j] == "[" or pattern.startswith("&&", j):
                    raise Unsupported("nested class")
                if pattern[j] == "\\":
                    if j + 1 >= n or (pattern[j + 1] not in _REGEX_CLASS_ESCAPES and pattern[j + 1] not in _REGEX_META_ESCAPES):
                        raise Unsupported("class escape")
                    j += 2
                    continue
                j += 1
            if j >= n:
                raise Unsupported("unterminated class")
            i = j + 1
            previous_quantifiable = True
            continue
        if ch == "(":
            if pattern.startswith("(?", i):
                if not pattern.startswith("(?:", i):
                    raise Unsupported("group extension")
                i += 3
            else:
                i += 1
            depth += 1
            previous_quantifiable = False
            continue
        if ch == ")":
            depth -= 1
            if depth < 0:
                raise Unsupported("unbalanced")
            i += 1
            previous_quantifiable = True
            continue
        if ch in "*+?":
            if not previous_quantifiable:
                raise Unsupported("quantifier without atom")
            i += 1
            if i < n and pattern[i] == "+":
                raise Unsupported("possessive quantifier")
            if i < n and pattern[i] == "?":
                i += 1
            previous_quantifiable = False
            continue
        if ch == "{":
            found = re.match(r"\{(\d+)(,(\d*))?\}", pattern[i:])
            if not found or not previous_quantifiable:
                raise Unsupported("brace")
            i += found.end()
            if i < n and pattern[i] == "+":
                raise Unsupported("possessive quantifier")
            if i < n and pattern[i] == "?":
                i += 1
            previous_quantifiable = False
            continue
        if ch == "}":
            raise Unsupported("brace")
        i += 1
        previous_quantifiable = ch not in "|^$"
    if depth:
        raise Unsupported("unbalanced")
    try:
        # re.ASCII: Python's Unicode \s also matches U+001C–U+001F, Oniguruma's does not (its \s,
        # \w and \d on ASCII text are exactly the ASCII classes).
        return re.compile(pattern, flags | re.ASCII)
    except re.error:
        raise Unsupported("regex") from None
