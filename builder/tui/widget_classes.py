"""Defining a widget class, faster: Textual's ``DOMNode.__init_subclass__`` with each base's share
computed once instead of once per subclass.

Why: defining a ``DOMNode`` subclass (every widget, screen and app class: ~90 before the app's
first frame, Textual's and ours) runs ``DOMNode.__init_subclass__``, which scans every base's
``__dict__`` for reactives, parses every base's ``BINDINGS`` again and lists ``dir(cls)`` (~400
names) for compute methods: ~0.3 ms a class, ~27 ms of a start's imports (measured: a timer around
Textual's class creation; bench/tui.py's cold start).

How: the same five results from each base's own share (its reactives, its parsed bindings by key,
its ``compute_`` names), computed the first time a subclass needs them and kept per class. What
Textual computes, in its order: ``_reactives`` merged over the reversed MRO (the most derived wins,
first seen first); ``_css_type_name`` / ``_css_type_names`` (unchanged code); ``_merged_bindings``
with, for each key, the bindings of the most derived base that binds it (fresh lists, as Textual's
are: a widget's ``bind`` appends to them); ``_computes`` from the union of the bases' names
(``dir`` is that union, sorted; the set ignores order). Bindings are frozen dataclasses, so sharing
them between classes changes nothing. :attr:`check` runs Textual's own code after ours and raises
AssertionError on any difference (the test suite turns it on for every class it defines).

The one thing it assumes, as the check shows: a class's own reactives, ``BINDINGS`` and method
names do not change once a subclass of it is defined (Textual sets them in the class body).

Only the TUI's start installs it (``builder.cli`` before it imports the app), before Textual
defines its first widget class; it is installed once and stays for the process.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.reactive import Reactive

_COMPUTE_PREFIXES = ("_compute_", "compute_")


class _Own:
    """One class's own share of what its subclasses merge."""

    __slots__ = ("reactives", "bindings", "computes")

    def __init__(self, base: type) -> None:
        namespace = base.__dict__
        self.reactives = {name: value for name, value in namespace.items() if isinstance(value, Reactive)}
        self.computes = frozenset(name.lstrip("_")[8:] for name in namespace if name.startswith(_COMPUTE_PREFIXES))
        self.bindings: dict[str, tuple[Binding, ...]] = {}
        if issubclass(base, DOMNode):
            parsed = BindingsMap(namespace.get("BINDINGS", []))
            self.bindings = {key: tuple(bindings) for key, bindings in parsed.key_to_bindings.items()}


class FastSubclassing:
    #: Run Textual's own ``__init_subclass__`` after ours and compare (tests).
    check: ClassVar[bool] = False
    installed: ClassVar[Any] = None  # Textual's own, once installed
    _own: ClassVar[dict[type, _Own]] = {}

    @classmethod
    def own(cls, base: type) -> _Own:
        found = cls._own.get(base)
        if found is None:
            found = cls._own[base] = _Own(base)
        return found


def _init_subclass(cls: type[DOMNode], inherit_css: bool = True, inherit_bindings: bool = True,
                   inherit_component_classes: bool = True) -> None:
    super(DOMNode, cls).__init_subclass__()
    mro = cls.__mro__
    owns = [FastSubclassing.own(base) for base in reversed(mro)]
    reactives: dict[str, Reactive[Any]] = {}
    computes: set[str] = set()
    for own in owns:
        reactives.update(own.reactives)
        computes.update(own.computes)
    cls._reactives = reactives
    cls._inherit_css = inherit_css
    cls._inherit_bindings = inherit_bindings
    cls._inherit_component_classes = inherit_component_classes
    bases = cls._css_bases(cls)
    cls._css_type_name = bases[0].__name__
    cls._css_type_names = frozenset(base.__name__ for base in bases)
    keys: dict[str, tuple[Binding, ...]] = {}
    for base, own in zip(reversed(mro), owns):
        if issubclass(base, DOMNode):
            if not base._inherit_bindings:
                keys.clear()
            keys.update(own.bindings)
    cls._merged_bindings = BindingsMap.from_keys({key: list(bindings) for key, bindings in keys.items()})
    cls._computes = frozenset(computes)
    if FastSubclassing.check:
        _compare(cls, inherit_css, inherit_bindings, inherit_component_classes)


def _compare(cls: type[DOMNode], *flags: bool) -> None:
    ours = (cls._reactives, list(cls._reactives), cls._css_type_name, cls._css_type_names,
            _bindings(cls._merged_bindings), cls._computes)
    FastSubclassing.installed.__func__(cls, *flags)  # Textual's own: sets the same attributes again
    theirs = (cls._reactives, list(cls._reactives), cls._css_type_name, cls._css_type_names,
              _bindings(cls._merged_bindings), cls._computes)
    if ours != theirs:
        raise AssertionError(f"widget_classes: {cls.__qualname__} differs from Textual's own __init_subclass__")


def _bindings(bindings: BindingsMap) -> list[tuple[str, list[Binding]]]:
    return [(key, list(found)) for key, found in bindings.key_to_bindings.items()]


def install() -> None:
    """Give ``DOMNode`` the faster ``__init_subclass__`` (once; later calls change nothing)."""
    if FastSubclassing.installed is None:
        FastSubclassing.installed = DOMNode.__dict__["__init_subclass__"]
        DOMNode.__init_subclass__ = classmethod(_init_subclass)  # type: ignore[assignment,method-assign]
