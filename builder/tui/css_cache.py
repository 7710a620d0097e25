"""Textual's parsed CSS kept on disk between starts (#13: parsing it was ~30 ms of every cold start).

At every start Textual parses each CSS source it meets (``app.tcss``, and the ``DEFAULT_CSS`` of
every widget class: 46 sources, ~330 rule sets before the first frame) and keeps the rule sets in
its stylesheet's in-memory cache, keyed by the source's text and where it came from. The parse
substitutes the theme's variables (``$primary``…), so the rule sets depend on those too.

:class:`ParsedCss` fills that in-memory cache, before anything is parsed, from a file the previous
start wrote, and writes the file again when this start parsed a source it did not hold. A source
whose text changed (an edit, another Textual) has another key and is parsed as usual; the file's
name carries what the key does not (the stamps of Textual's files, Python's version, the theme's
variables), so a file from another theme or version is never read. Unreadable or damaged: ignored, written anew.
The file is a pickle in the user's own cache directory, trusted as that user's ``__pycache__`` is;
it holds CSS only (no project data, no secret).

This leans on two private attributes of Textual's ``Stylesheet`` (``_parse_cache``, ``_variables``,
Textual 8): tests/app/test_css_cache.py checks that a start from the file lays out and draws the
screen exactly as a start that parsed everything.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any, Mapping

from builder.project.user_cache import cache_dir, file_stamp, write_atomically

#: The modules whose classes a parse makes (and the parser): installing another Textual rewrites them.
_TEXTUAL_FILES = ("__init__.py", "css/parse.py", "css/model.py", "css/styles.py", "css/stylesheet.py")


def _textual_stamp() -> list[str]:
    """Which Textual this is, from its files (``textual.__version__`` reads the package metadata:
    ~10 ms of imports, a third of what the cache saves)."""
    import textual

    root = Path(textual.__file__).parent
    return [file_stamp(root / name) for name in _TEXTUAL_FILES]


def cache_file(variables: Mapping[str, str], env: Mapping[str, str] = os.environ) -> Path:
    """The file for this Textual, this Python and these theme variables."""
    key = repr((_textual_stamp(), sys.version, sorted(variables.items())))
    return cache_dir(env) / f"css-{hashlib.sha256(key.encode()).hexdigest()[:20]}.pickle"


class ParsedCss:
    """The parse cache of one app's stylesheet, loaded before the first parse, saved once after."""

    def __init__(self, stylesheet: Any, env: Mapping[str, str] = os.environ) -> None:
        self.stylesheet = stylesheet
        self.env = env
        #: The keys the file held (a save with nothing new parsed writes nothing).
        self.loaded: frozenset[tuple[Any, ...]] = frozenset()

    def load(self) -> int:
        """Put the file's rule sets in the stylesheet's cache; how many sources it held."""
        try:
            data = pickle.loads(cache_file(self.stylesheet._variables, self.env).read_bytes())
        except Exception:  # missing, unreadable, damaged or from an incompatible Textual: parse as usual
            return 0
        if not isinstance(data, dict):
            return 0
        cache = self.stylesheet._parse_cache
        for key, rules in data.items():
            if isinstance(key, tuple) and isinstance(rules, list):
                cache[key] = rules
        self.loaded = frozenset(data)
        return len(data)

    def in_use(self) -> dict[tuple[Any, ...], Any]:
        """The parsed rule sets of the sources the stylesheet holds now, under Textual's cache keys
        (``(css, read_from, is_default, tie_breaker, scope)``). A source is parsed once per tie
        breaker it is added with (a widget class's CSS comes again, nearer, with each subclass),
        and the stylesheet remembers only the last: every key of a held source's text is kept."""
        held = {(read_from, source[0]) for read_from, source in self.stylesheet.source.items()}
        cache = self.stylesheet._parse_cache
        return {key: cache[key] for key in list(cache.keys()) if (key[1], key[0]) in held}

    def save(self) -> bool:
        """Write the file when this start parsed a source the file did not hold (True when written).
        Atomic (a temporary file renamed over it): two apps starting at once never leave half a file.
        A cache that cannot be written (read-only home) costs the parse next time, nothing else."""
        rules = self.in_use()
        if not rules or frozenset(rules) <= self.loaded:
            return False
        path = cache_file(self.stylesheet._variables, self.env)
        try:
            write_atomically(path, pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # unwritable, or a rule set that does not pickle (another Textual): parsed next time
            return False
        self.loaded = frozenset(rules)
        return True
