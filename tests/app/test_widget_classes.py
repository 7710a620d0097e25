"""Defining a widget class with each base's share computed once (builder.tui.widget_classes): a
class defined that way is the class Textual's own ``DOMNode.__init_subclass__`` makes.

The session installs it with ``check`` on (tests/conftest.py): every class the tests define,
Textual's, ours and these, is compared with Textual's own code as it is defined."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
import pytest

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.reactive import reactive, var
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static

from builder.tui import widget_classes
from builder.tui.widget_classes import FastSubclassing

ROOT = Path(__file__).resolve().parents[2]


def test_the_session_defines_its_classes_this_way_and_checks_each() -> None:
    assert DOMNode.__dict__["__init_subclass__"].__func__ is widget_classes._init_subclass
    assert FastSubclassing.check


class Mixin:
    flag = reactive(False)

    def compute_flag(self) -> bool:
        return True


class Base(Static):
    BINDINGS = [("j,down", "down", "Down"), Binding("ctrl+s", "save", "Save", priority=True), ("x", "x")]
    count = reactive(0)
    label = var("a")

    def _compute_label(self) -> str:
        return "b"


class Derived(Mixin, Base, can_focus=True):
    BINDINGS = [("x", "other", "Other"), ("k,up", "up")]
    count = reactive(1)  # overrides Base's: the most derived wins, in Base's place


class NoInheritedBindings(Derived, inherit_bindings=False):
    BINDINGS = [("q", "quit")]


class NoInheritedCss(Derived, inherit_css=False):
    DEFAULT_CSS = "NoInheritedCss { height: 1; }"


class _Private(Input):
    pass


class Dialog(ModalScreen[None]):
    BINDINGS = [("escape", "dismiss")]


class Application(App[None]):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    value = var(0)


CLASSES: list[type[DOMNode]] = [Base, Derived, NoInheritedBindings, NoInheritedCss, _Private, Dialog, Application]


@pytest.mark.parametrize("cls", CLASSES, ids=[cls.__name__ for cls in CLASSES])
def test_each_kind_of_class_gets_what_textual_computes(cls: type[DOMNode]) -> None:
    """Defined with check on (no AssertionError), and the result read here is Textual's."""
    ours = (dict(cls._reactives), list(cls._reactives), cls._css_type_name, cls._css_type_names,
            [(key, list(found)) for key, found in cls._merged_bindings.key_to_bindings.items()], cls._computes)
    FastSubclassing.installed.__func__(cls, cls._inherit_css, cls._inherit_bindings, cls._inherit_component_classes)
    assert ours == (dict(cls._reactives), list(cls._reactives), cls._css_type_name, cls._css_type_names,
                    [(key, list(found)) for key, found in cls._merged_bindings.key_to_bindings.items()], cls._computes)


def test_what_textual_computes_for_them() -> None:
    """The table above covers what matters: overrides, compute methods, compound keys, not inheriting."""
    assert list(Derived._reactives)[-3:] == ["count", "label", "flag"]  # Widget's first (reversed MRO)
    assert Derived._reactives["count"] is Derived.__dict__["count"]
    assert {"flag", "label"} <= Derived._computes
    assert [binding.action for binding in Derived._merged_bindings.key_to_bindings["x"]] == ["other"]
    assert [binding.key for binding in Derived._merged_bindings.key_to_bindings["down"]] == ["down"]
    assert set(NoInheritedBindings._merged_bindings.key_to_bindings) == {"q"}
    assert NoInheritedCss._css_type_names == frozenset({"NoInheritedCss"})
    assert Derived._css_type_names >= {"Derived", "Base", "Static", "Widget"}


def test_each_class_gets_lists_of_its_own() -> None:
    """A widget's ``bind`` appends to its class's lists: a subclass's append must not reach its base."""
    base = Base._merged_bindings.key_to_bindings["ctrl+s"]
    derived = Derived._merged_bindings.key_to_bindings["ctrl+s"]
    assert base == derived and base is not derived


def test_check_catches_a_base_changed_after_a_subclass_was_defined() -> None:
    """The one assumption (a class's own share does not change once subclassed) is what check guards."""
    class Changing(Widget):
        BINDINGS = [("a", "a")]

    class First(Changing):
        pass

    Changing.BINDINGS = [("b", "b")]
    with pytest.raises(AssertionError, match="differs from Textual"):
        class Second(Changing):
            pass


def test_the_whole_app_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """Every class the app defines, installed before Textual's first widget class, checked one by one;
    and importing the builder as a library installs nothing."""
    code = ("from builder.tui import widget_classes; widget_classes.FastSubclassing.check = True; "
            "widget_classes.install(); import textual.widgets as w; import builder.tui.app, builder.tui.screens.blueprint, "
            "builder.tui.screens.export, builder.tui.screens.sync, builder.tui.screens.dashboard; "
            "[getattr(w, name) for name in w.__all__]; from textual.dom import DOMNode; "
            "seen = set(); todo = [DOMNode]\n"
            "while todo:\n"
            "    c = todo.pop(); todo.extend(c.__subclasses__()); seen.add(c)\n"
            "print(len(seen))")
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 150, "Textual's widgets and ours were all defined (and checked)"
    library = subprocess.run([sys.executable, "-c", "import builder.tui.app, textual.dom; from builder.tui import "
                              "widget_classes; print(widget_classes.FastSubclassing.installed)"],
                             capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert library.returncode == 0, library.stderr
    assert library.stdout.split() == ["None"]

