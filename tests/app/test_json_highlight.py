"""The JSON viewer colours a line from what it knows (key, value, comma) instead of lexing its text
(#13): generated documents, every line, the same colour for every character as Pygments' JSON lexer
gives it, in the dark and the light theme."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from pygments.lexers import JsonLexer
from rich.syntax import PygmentsSyntaxTheme

from widgets import json_viewer
from widgets.json_layout import JSON_TOKENS, build_lines, line_tokens
from widgets.json_viewer import token_styles
from tests.kept_files import no_home_directory

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


def pygments_colours(dark: bool) -> dict[Any, tuple[Any, bool, bool]]:
    from pygments.styles import get_style_by_name

    theme = get_style_by_name("monokai" if dark else "friendly")
    return {token: (("#" + theme.style_for_token(token)["color"]) if theme.style_for_token(token)["color"] else "#000000",
                    theme.style_for_token(token)["bold"], theme.style_for_token(token)["italic"])
            for token in JSON_TOKENS}


def colours_of(styles: dict[Any, Any]) -> dict[Any, tuple[Any, bool, bool]]:
    return {token: (style.color.name, bool(style.bold), bool(style.italic)) for token, style in styles.items()}


@pytest.mark.parametrize("dark", [True, False], ids=["dark", "light"])
def test_the_theme_colours_kept_in_the_cache_are_pygments_and_a_damaged_file_is_read_anew(
        dark: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pygments.styles

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(json_viewer, "_TOKEN_STYLES", {})
    expected = {token: (color.lower(), bold, italic) for token, (color, bold, italic) in pygments_colours(dark).items()}
    assert colours_of(token_styles(dark)) == expected
    (kept,) = (tmp_path / "cursor-builder").glob("json-colours-*.json")

    def unavailable(name: str) -> Any:
        raise AssertionError("read from Pygments although the colours were kept")

    with monkeypatch.context() as patched:
        patched.setattr(pygments.styles, "get_style_by_name", unavailable)
        patched.setattr(json_viewer, "_TOKEN_STYLES", {})
        assert colours_of(token_styles(dark)) == expected  # from the file

    for damaged in ("", "not json", "[1, 2]", '[["#fff", "yes", false]]'):
        kept.write_text(damaged)
        monkeypatch.setattr(json_viewer, "_TOKEN_STYLES", {})
        assert colours_of(token_styles(dark)) == expected
        assert len(json.loads(kept.read_text())) == len(JSON_TOKENS)  # written anew


def test_no_home_directory_means_pygments_colours_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")
    no_home_directory(monkeypatch)
    monkeypatch.setattr(json_viewer, "_TOKEN_STYLES", {})
    expected = {token: (color.lower(), bold, italic) for token, (color, bold, italic) in pygments_colours(True).items()}
    assert colours_of(token_styles(True)) == expected
