"""Textual's CSS work kept between starts (#13): the parsed rule sets, and which rules each widget
matched. Together they were ~120 ms of a ~600 ms cold start.

**Parsed rule sets.** At every start Textual parses each CSS source it meets (``app.tcss``, and the
``DEFAULT_CSS`` of every widget class: 46 sources, ~330 rule sets before the first frame) and keeps
the rule sets in its stylesheet's in-memory cache, keyed by the source's text and where it came from.
The parse substitutes the theme's variables (``$primary``…), so the rule sets depend on those too.
:class:`CssCache` fills that in-memory cache, before anything is parsed, from the file the previous
start wrote.

**Matched styles.** Styling a widget (``Stylesheet.apply``: ~320 times before the first frame,
counting the virtual nodes of component classes) matches every candidate rule against the widget's
path from the App, then resolves the rules' specificity. :class:`RememberingStylesheet` remembers the
outcome, keyed by

- the stylesheet's *generation*: every source's text, order, scope and priority, and the variables;
- the path's *structure*: each node's CSS type names, id and classes, App to widget;
- the answers to the pseudo-class questions (``:focus``, ``:disabled``, ``:first-child``…) the
  matching asked, each about one node of the path. Matching is a function of the structure and those
  answers, so when every question recorded with an outcome gets the same answer now, the outcome is
  the one matching would compute: the memo stores no guess. A path may have several outcomes
  (focused, not focused), each with its own questions.

The questions are recorded by matching against stand-ins for the path's nodes (``_Witness``) that
pass each question on to the node and note it and its answer. Only the questions that decide are asked: the last selector of each set is tried on the node
alone (see ``_witnessed_check_rule``). A Textual whose matching asks the stand-ins something they do
not have (another Textual 8 release) turns the memo off for the app.

**The file.** A pickle in the user's own cache directory, trusted as that user's ``__pycache__`` is;
it holds CSS and style values only (no project data, no secret). Written after the first paint and
again once the start's styling is done (``START_SETTLED`` in builder/tui/app.py), when the app parsed
or matched something the file did not hold: what the app used, and what the file held while both fit
(:data:`KEPT`; a start with a saved project and one without keep each other's). The outcomes of the
paths the last starts used (:data:`EAGER`) are read with the file; the rest stay a pickle of their
own, unpickled the first time a path is not among the former: a start uses ~330 of the ~3,700 paths a
file collects (unpickling them all was ~9 ms of each start). Its name carries what the keys do not
(the stamps of Textual's files, Python's version, the theme's variables), so a file from another
theme or version is never read; unreadable or damaged: ignored, written anew.

This leans on private parts of Textual 8's ``Stylesheet`` (``_parse_cache``, ``_variables``,
``_check_rule``, ``source``) and nodes (``_css_type_names``, ``_id``, ``_classes``, the four
``_has_*`` flags ``apply`` sets). :attr:`RememberingStylesheet.check` makes every remembered outcome
be computed again and compared (the test suite runs with it on); tests/app/test_css_cache.py checks
that a start from the file styles every node and draws the screen exactly as a start from nothing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping

from textual.css.match import _check_selectors
from textual.css.stylesheet import Stylesheet

from builder.project.user_cache import cache_dir, file_stamp, write_atomically

#: The modules whose code parses, matches and resolves styles: installing another Textual rewrites them.
_TEXTUAL_FILES = ("__init__.py", "css/parse.py", "css/model.py", "css/styles.py", "css/stylesheet.py",
                  "css/match.py", "dom.py", "widget.py")
#: Bumped when what the file holds changes shape.
_FORMAT = 4
#: In-process bound on remembered paths (a long session restyles many transient widgets): past it the
#: memo starts again, empty.
MEMO_LIMIT = 20_000
#: Remembered paths the file keeps from earlier starts besides this one's (~0.2 KB each in the file):
#: the starts with and without a project file, at other terminal sizes, all hit.
KEPT = 4_000
#: Of those, the paths read with the file (the rest when a path is not among them): this start's, and
#: those of the starts before it while they fit (~330 a start before its first frame).
EAGER = 1_000


def _textual_stamp() -> list[str]:
    """Which Textual this is, from its files (``textual.__version__`` reads the package metadata:
    ~10 ms of imports)."""
    import textual

    root = Path(textual.__file__).parent
    return [file_stamp(root / name) for name in _TEXTUAL_FILES]


def cache_file(variables: Mapping[str, str], env: Mapping[str, str] = os.environ) -> Path:
    """The file for this Textual, this Python and these theme variables."""
    key = repr((_FORMAT, _textual_stamp(), sys.version, sorted(variables.items())))
    return cache_dir(env) / f"css-{hashlib.sha256(key.encode()).hexdigest()[:20]}.pickle"


#: One remembered outcome: the questions asked (path index, pseudo classes, answer), the rules
#: ``replace_rules`` got (None: no rule matched, the node's styles were left as they were), and the
#: node's four ``_has_*`` flags.
Outcome = tuple[tuple[tuple[int, frozenset[str], bool], ...], Any, tuple[bool, bool, bool, bool]]


class _Witness:
    """A path node as Textual's selector matching sees it, noting each pseudo-class question."""

    __slots__ = ("node", "index", "questions", "_css_type_names", "_classes", "id")

    def __init__(self, node: Any, index: int, questions: list[tuple[int, frozenset[str], bool]]) -> None:
        self.node = node
        self.index = index
        self.questions = questions
        self._css_type_names = node._css_type_names
        self._classes = node._classes
        self.id = node._id

    def has_class(self, *names: str) -> bool:
        return bool(self.node.has_class(*names))

    def has_pseudo_classes(self, names: set[str]) -> bool:
        answer = bool(self.node.has_pseudo_classes(names))
        question = (self.index, frozenset(names), answer)
        if question not in self.questions:  # many rules ask the same: checked once when reused
            self.questions.append(question)
        return answer


def same_rules(one: Any, other: Any) -> bool:
    """The same styles: equal values, or for a value type without equality (Textual's layouts
    compare by identity) the same type and text."""
    if one is None or other is None:
        return one is other
    return one.keys() == other.keys() and all(
        value == other[name] or (type(value) is type(other[name]) and repr(value) == repr(other[name]))
        for name, value in one.items())


class _OnlyAt:
    """A selector tried on one node only: on any other, it does not match (and asks nothing)."""

    __slots__ = ("selector", "node", "combinator", "advance")

    def __init__(self, selector: Any, node: _Witness) -> None:
        self.selector = selector
        self.node = node
        self.combinator = selector.combinator
        self.advance = selector.advance

    def check(self, node: Any) -> bool:
        return node is self.node and bool(self.selector.check(node))


class RememberingStylesheet(Stylesheet):
    """Textual's stylesheet, remembering each path's matched rules (see the module's docstring)."""

    #: Compute every remembered outcome again and raise if it differs (the test suite sets it).
    check: ClassVar[bool] = False

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self.memo: dict[tuple[str, tuple[Any, ...]], list[Outcome]] = {}
        #: The memo's keys this app used (what a save writes), and how many were new.
        self.used: set[tuple[str, tuple[Any, ...]]] = set()
        #: The file's, as read (kept when saving while they fit).
        self.from_file: dict[tuple[str, tuple[Any, ...]], list[Outcome]] = {}
        #: The file's other outcomes, still pickled (None: none, or unpickled into the memo).
        self.more: bytes | None = None
        #: The paths the file read eagerly (see :meth:`remembered`).
        self.eager: frozenset[tuple[str, tuple[Any, ...]]] = frozenset()
        self.learned = 0
        self.enabled = True
        self._generation_of: Any = None
        self._generation = ""
        self._variables_digest: tuple[Any, str] = (None, "")
        #: The node whose rules ``_applied`` is waiting for, and those rules once replaced.
        self._capture: tuple[Any, Any] = (None, None)
        self._witnesses: list[_Witness] | None = None
        #: Called once before the first parse (CssCache: the file's rule sets into the parse cache).
        self.before_parse: Callable[[], None] | None = None

    def generation(self) -> str:
        """A digest of what the rules are made from: the sources (text, order, scope, priority) and
        the variables. Never parses (a start whose every outcome is remembered parses nothing)."""
        if self._generation_of is not self.source or self._variables_digest[0] is not self._variables:
            if self._variables_digest[0] is not self._variables:
                self._variables_digest = (self._variables, repr(sorted(self._variables.items())))
            self._generation = self._digest(self._variables_digest[1])
            for read_from, source in self.source.items():
                self._generation = self._digest(self._generation, self._describe(read_from, source))
            self._generation_of = self.source
        return self._generation

    @staticmethod
    def _digest(*parts: Any) -> str:
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    @staticmethod
    def _describe(read_from: Any, source: Any) -> tuple[Any, ...]:
        return read_from, hashlib.blake2b(source.content.encode(), digest_size=16).digest(), source[1:]

    def add_source(self, css: str, read_from: Any = None, *args: Any, **kwargs: Any) -> None:
        valid, before = self._generation_of is self.source, self.source.get(read_from)
        super().add_source(css, read_from, *args, **kwargs)
        after = self.source.get(read_from)
        if after is before and read_from is not None:
            return  # the same text again (a subclass's base), nothing nearer: unchanged
        if valid and before is None and after is not None:  # one more source, last in order: go on
            self._generation = self._digest(self._generation, self._describe(read_from, after))
        else:  # a source replaced in place (another priority, another text): from the start
            self._generation_of = None

    def read(self, *args: Any, **kwargs: Any) -> None:
        super().read(*args, **kwargs)
        self._generation_of = None

    def parse(self) -> None:
        if self.before_parse is not None:
            before, self.before_parse = self.before_parse, None
            before()
        super().parse()

    def replace_rules(self, node: Any, rules: Any, animate: bool = False) -> None:  # type: ignore[override]
        if node is self._capture[0]:
            self._capture = (node, rules)
        super().replace_rules(node, rules, animate=animate)

    def _witnessed_check_rule(self, rule_set: Any, css_path_nodes: list[Any]) -> Any:
        """Textual's ``_check_rule`` on the witnesses, the last selector of each set tried on the node
        alone. Textual's matching tries it on every node of the path, but only a match on the node
        itself can complete the set (elsewhere, passing or failing leads to the same next step), and
        the other nodes' questions (``*:disabled:can-focus`` asks every ancestor) would make their
        focus and disabled states part of every outcome's conditions."""
        witnesses = self._witnesses
        assert witnesses is not None
        node = witnesses[-1]
        for selector_set in rule_set.selector_set:
            *head, last = selector_set.selectors
            if _check_selectors([*head, _OnlyAt(last, node)], witnesses):  # type: ignore[list-item,arg-type]
                yield selector_set.specificity

    def apply(self, node: Any, *, animate: bool = False, cache: Any = None) -> None:
        if not self.enabled:
            super().apply(node, animate=animate, cache=cache)
            return
        path = node.css_path_nodes
        key = (self.generation(), tuple([(n._css_type_names, n._id, frozenset(n._classes)) for n in path]))
        outcomes = self.memo.get(key)
        if outcomes is None and self.more is not None:
            self.read_more()
            outcomes = self.memo.get(key)
        if outcomes is not None:
            for questions, rules, flags in outcomes:
                if all(path[index].has_pseudo_classes(names) == answer for index, names, answer in questions):
                    self.used.add(key)
                    if self.check:
                        self._check_outcome(node, rules, flags, animate)
                        return
                    node._has_hover_style, node._has_focus_within, node._has_order_style, node._has_odd_or_even = flags
                    if rules is not None:
                        self.replace_rules(node, rules, animate=animate)
                    self._process_component_classes(node)
                    return
        outcome = self._match(node, path, animate)
        if outcome is None:  # matching asked the stand-ins something they do not answer
            return
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
            self.used.clear()
        self.memo.setdefault(key, []).append(outcome)
        self.used.add(key)
        self.learned += 1

    def _match(self, node: Any, path: list[Any], animate: bool) -> Outcome | None:
        """Textual's own ``apply`` on the node, matching against witnesses; what it decided (None:
        the witnesses did not fit this Textual, and the memo is off from now on)."""
        questions: list[tuple[int, frozenset[str], bool]] = []
        witnesses = [_Witness(each, index, questions) for index, each in enumerate(path)]
        try:
            rules = self._applied(node, animate, witnesses)
        except AttributeError:
            self.enabled = False
            super().apply(node, animate=animate)
            return None
        return tuple(questions), rules, self._flags(node)

    def _applied(self, node: Any, animate: bool, witnesses: list[_Witness] | None) -> Any:
        """Textual's ``apply`` on the node (matching against ``witnesses`` when given); the rules it
        gave the node (None: none matched)."""
        # Component classes' virtual nodes are styled inside this call, after the node's own rules
        # are replaced: what is saved here is put back before this returns.
        saved = self._capture, self._witnesses, self.__dict__.get("_check_rule")
        self._capture = (node, None)
        self._witnesses = witnesses
        if witnesses is not None:
            self._check_rule = self._witnessed_check_rule  # type: ignore[method-assign,assignment]
        else:  # Textual's own, also inside a witnessed apply (a component class checked)
            self.__dict__.pop("_check_rule", None)
        try:
            # Textual's own per-update cache is not passed: an outcome it hands out was matched
            # without the questions, so it could not be remembered safely.
            super().apply(node, animate=animate)
            return self._capture[1]
        finally:
            self._capture, self._witnesses, check_rule = saved
            if check_rule is None:
                self.__dict__.pop("_check_rule", None)
            else:
                self._check_rule = check_rule

    @staticmethod
    def _flags(node: Any) -> tuple[bool, bool, bool, bool]:
        return node._has_hover_style, node._has_focus_within, node._has_order_style, node._has_odd_or_even

    def _check_outcome(self, node: Any, rules: Any, flags: Any, animate: bool) -> None:
        """Textual's own matching, on the node itself (no witnesses), against the remembered outcome."""
        matched = self._applied(node, animate, None)
        if not same_rules(matched, rules) or self._flags(node) != flags:
            raise AssertionError(f"remembered styles of {node!r} differ from Textual's: {rules!r} != {matched!r}")

    def remembered(self) -> tuple[dict[tuple[str, tuple[Any, ...]], list[Outcome]], bytes | None]:
        """What the file keeps: what this app used, and what the file held (other starts: with a
        saved project, another size…) while both fit in :data:`KEPT`, else what this app used. First
        the outcomes read with the file: this app's paths, and the paths the file read eagerly while
        both fit in :data:`EAGER`; then the others, pickled (the file's own when they are the same).
        Each node's (types, id, classes) once, so the pickle refers to it from every path it is on."""
        eager = self.used | self.eager
        if len(eager) > EAGER:
            eager = set(self.used)
        if self.more is not None and not self.eager - eager:  # the others unchanged: as the file held them
            return self._shared(eager), self.more
        self.read_more()
        keys = self.used | (self.from_file.keys() & self.memo.keys())
        if len(keys) > KEPT:
            keys = self.used
        eager &= keys
        others = self._shared(keys - eager)
        return self._shared(eager), pickle.dumps(others, protocol=pickle.HIGHEST_PROTOCOL) if others else None

    def _shared(self, keys: Any) -> dict[tuple[str, tuple[Any, ...]], list[Outcome]]:
        shared: dict[Any, Any] = {}
        return {(generation, tuple([shared.setdefault(step, step) for step in steps])): self.memo[generation, steps]
                for generation, steps in keys if (generation, steps) in self.memo}

    def read_from_file(self, styles: dict[Any, Any], more: bytes | None = None) -> None:
        """A file's remembered styles: those read with it, and the others still pickled (unpickled
        by :meth:`read_more` the first time a path is not among the former). Kept again when saving
        (see :meth:`remembered`)."""
        self.memo.update(styles)
        self.from_file = dict(styles)
        self.eager = frozenset(styles)
        self.more = more

    def read_more(self) -> None:
        """The file's other outcomes into the memo (once; damaged: forgotten, matched as usual)."""
        blob, self.more = self.more, None
        if blob is None:
            return
        try:
            others = pickle.loads(blob)
        except Exception:
            return
        if isinstance(others, dict):
            for key, outcomes in others.items():
                self.memo.setdefault(key, outcomes)
                self.from_file.setdefault(key, outcomes)


class CssCache:
    """One app's parsed rule sets and remembered styles: loaded before the first parse, saved after.

    The file holds the remembered styles, and the rule sets as a pickle of their own, unpickled only
    when the stylesheet first parses: a start whose every style is remembered never does (the rule
    sets are ~70% of the file and ~9 of its ~13 ms to load)."""

    def __init__(self, stylesheet: Any, env: Mapping[str, str] = os.environ) -> None:
        self.stylesheet = stylesheet
        self.env = env
        #: The parse keys the file held, once its rule sets are unpickled (a save with nothing new
        #: parsed or matched writes nothing).
        self.loaded: frozenset[tuple[Any, ...]] = frozenset()
        #: The file's rule sets, still pickled (None: no file, or unpickled into the parse cache).
        self._rules: bytes | None = None
        #: The same, kept to be written again when nothing was parsed anew.
        self._rules_as_read: bytes | None = None
        self._learned_at_save = 0

    @property
    def remembering(self) -> RememberingStylesheet | None:
        """The stylesheet, when it remembers styles (a plain one gets the rule sets only)."""
        return self.stylesheet if isinstance(self.stylesheet, RememberingStylesheet) else None

    def load(self) -> bool:
        """Read the file: its styles into the memo, its rule sets into the stylesheet's parse cache
        at the first parse (at once for a stylesheet that does not remember). False: no usable file."""
        try:
            data = pickle.loads(cache_file(self.stylesheet._variables, self.env).read_bytes())
        except Exception:  # missing, unreadable, damaged or from an incompatible Textual: parse as usual
            return False
        if not isinstance(data, dict) or not isinstance(data.get("rules"), bytes):
            return False
        self._rules = self._rules_as_read = data["rules"]
        styles, more = data.get("styles"), data.get("more")
        if (memo := self.remembering) is not None:
            if isinstance(styles, dict):
                memo.read_from_file(styles, more if isinstance(more, bytes) else None)
            memo.before_parse = self.unpickle_rules
        else:
            self.unpickle_rules()
        return True

    def unpickle_rules(self) -> None:
        """The file's rule sets into the stylesheet's parse cache (once)."""
        blob, self._rules = self._rules, None
        if blob is None:
            return
        try:
            rules = pickle.loads(blob)
        except Exception:  # damaged: parsed as usual, and written anew
            self._rules_as_read = None
            return
        if not isinstance(rules, dict):
            self._rules_as_read = None
            return
        cache = self.stylesheet._parse_cache
        for key, rule_sets in rules.items():
            if isinstance(key, tuple) and isinstance(rule_sets, list):
                cache[key] = rule_sets
        self.loaded = frozenset(rules)

    def in_use(self) -> dict[tuple[Any, ...], Any]:
        """The parsed rule sets of the sources the stylesheet holds now, under Textual's cache keys
        (``(css, read_from, is_default, tie_breaker, scope)``). A source is parsed once per tie
        breaker it is added with (a widget class's CSS comes again, nearer, with each subclass),
        and the stylesheet remembers only the last: every key of a held source's text is kept."""
        held = {(read_from, source[0]) for read_from, source in self.stylesheet.source.items()}
        cache = self.stylesheet._parse_cache
        return {key: cache[key] for key in list(cache.keys()) if (key[1], key[0]) in held}

    def save(self) -> bool:
        """Write the file when this app parsed a source, or matched a path, the file did not hold, or
        used a path the file did not read eagerly (True when written). Atomic (a temporary file renamed
        over it): two apps starting at once never leave half a file. A cache that cannot be written
        (read-only home) costs the work next time, nothing else."""
        memo = self.remembering
        learned = memo.learned if memo is not None else 0
        # None: the file's rule sets were never unpickled, so nothing was parsed.
        parsed = self.in_use() if self._rules is None else None
        new_rules = bool(parsed) and not frozenset(parsed or ()) <= self.loaded
        not_eager = memo is not None and not memo.used <= memo.eager
        if not new_rules and learned == self._learned_at_save and not not_eager:
            return False
        try:
            if new_rules or self._rules_as_read is None:
                rules = pickle.dumps(parsed or {}, protocol=pickle.HIGHEST_PROTOCOL)
            else:  # the file's own, written back as read
                rules = self._rules_as_read
            styles, more = memo.remembered() if memo is not None else ({}, None)
            content = pickle.dumps({"rules": rules, "styles": styles, "more": more}, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomically(cache_file(self.stylesheet._variables, self.env), content)
        except Exception:  # unwritable, or a value that does not pickle (another Textual): made again next time
            return False
        if parsed is not None:
            self.loaded = frozenset(parsed)
        self._rules_as_read = rules
        self._learned_at_save = learned
        if memo is not None:
            memo.eager = frozenset(styles)
        return True
