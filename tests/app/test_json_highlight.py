"""The JSON viewer colours a line from what it knows (key, value, comma) instead of lexing its text
(#13): generated documents, every line, the same colour for every character as Pygments' JSON lexer
gives it, in the dark and the light theme."""

from __future__ import annotations

import random
from typing import Any

import pytest
from pygments.lexers import JsonLexer
from rich.syntax import PygmentsSyntaxTheme

from widgets.json_layout import build_lines, line_tokens
from widgets.json_viewer import token_styles

LEXER = JsonLexer()
KEYS = ["id", "userEmail", "", "a b", 'quo"te', "back\\slash", "ünï", "emoji 🎉", "new\nline", "tab\t", "\x7f"]
STRINGS = ["", "x", "with \"quotes\"", "\\", "\u00e9t\u00e9", "🎉", "line\nbreak", "\x00\x1b[31m", "1.5", "true", "null"]
NUMBERS = [0, -0, 1, -17, 10**20, 1.5, -0.25, 1e-7, 1e300, 12345.678]


def value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(9 if depth < 4 else 5)
    if kind == 0:
        return rng.choice(STRINGS)
    if kind == 1:
        return rng.choice(NUMBERS)
    if kind == 2:
        return rng.choice([True, False])
    if kind == 3:
        return None
    if kind == 4:
        return rng.choice([{}, [], rng.randrange(-10**6, 10**6)])
    if kind in (5, 6):
        return {rng.choice(KEYS) + str(i): value(rng, depth + 1) for i in range(rng.randrange(1, 5))}
    return [value(rng, depth + 1) for _ in range(rng.randrange(1, 5))]


def lexed(text: str, dark: bool) -> list[tuple[str, Any]]:
    """Pygments' way: lex the line's text, each character with its token's colour."""
    theme = PygmentsSyntaxTheme("monokai" if dark else "friendly")
    out = []
    for token, part in LEXER.get_tokens(text):
        style = theme.get_style_for_token(token)
        out += [(char, (style.color, style.bold, style.italic)) for char in part if char != "\n"]
    return out


def structural(line: Any, dark: bool) -> list[tuple[str, Any]]:
    styles = token_styles(dark)
    return [(char, (styles[token].color, styles[token].bold, styles[token].italic))
            for part, token in line_tokens(line) for char in part]


@pytest.mark.parametrize("dark", [True, False], ids=["dark", "light"])
@pytest.mark.parametrize("seed", range(40))
def test_every_line_has_the_lexers_colours(seed: int, dark: bool) -> None:
    rng = random.Random(seed)
    document = {"data": [value(rng, 0) for _ in range(rng.randrange(1, 6))], "hasMore": rng.random() < 0.5}
    lines, _ = build_lines(document)
    assert len(lines) > 3
    for line in lines:
        text = line.prefix + line.body + ("," if line.comma else "")
        assert structural(line, dark) == lexed(text, dark), text
