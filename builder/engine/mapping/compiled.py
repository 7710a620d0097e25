"""A resource's selector and entity mapping, compiled once: the evaluation tiers.

Stages 3 and 4 of Ocean's pipeline (reference/ocean-port.md §3): ``selector.query`` must yield a
real boolean; every leaf of ``entity.mappings`` is JQ (blueprint included), first output only; an
error or no output becomes null; nested dicts recurse.

Speed is what makes live preview possible: each leaf compiles once (cached). Leaves that
builder.engine.jqnative compiles run as one generated Python function per record; jq runs the rest as ONE
program over the whole batch, and every record jqnative is not sure about. There,
``try [first(f)] catch null`` per leaf tells value (``[v]``), no output (``[]``) and error
(``null``) apart. jq's error text is fetched per field only for the records the user looks at.

Two variants: ``CompiledMapping`` for batches, ``PerFieldMapping`` for the one record the TUI
previews on each keystroke. The entity's shape and key order are ``builder.engine.mapping.shape``;
``builder.engine.mapping.cache.compile_mapping`` caches each variant by content and fast-path switch.
"""

from __future__ import annotations

import gc
import json
from typing import Any, Callable, Sequence

from builder.engine import jqnative, jqrt
from builder.engine.jqrt import JQCompileError, Outcome
from builder.engine.mapping import guard
from builder.engine.mapping.shape import build_shape, entity_builder

#: One record → the values of [selector, leaves…] (jqnative's fused function).
RowFunction = Callable[[Any], tuple[Any, ...]]


class Cancelled(Exception):
    """A chunked evaluation stopped because its ``cancelled()`` said so."""


class CompiledMapping:
    """A resource's selector and entity mapping, compiled once and reused for every batch."""

    def __init__(self, mappings: dict[str, Any], query: str, env_access: bool = True, *, native: bool = True) -> None:
        self.mappings = mappings
        self.query = query
        self.env_access = env_access
        #: Off: every field runs in jq (tests compare the two; bench/mapping.py shows the difference).
        self.native = native
        self.root, self.leaves = build_shape(mappings, env_access)
        self.selector_error = self._compile_error(query)
        static_errors = [0] if self.selector_error else []
        static_errors += [i + 1 for i, leaf in enumerate(self.leaves) if leaf.compile_error]
        #: positions of [selector, leaves…] that do not compile: None in a plain row means an error there
        self.static_errors: tuple[int, ...] = tuple(static_errors)
        #: positions of [selector, leaves…] that jq evaluates one field at a time even in a batch:
        #: inside a combined program their answer would change (jqrt.wraps_safely: `?//`,
        #: `$__loc__`); every other field stays in the batch programs
        self.per_field_positions: tuple[int, ...] = tuple(
            position for position, text in enumerate([query] + [leaf.expr for leaf in self.leaves])
            if position not in static_errors and not jqrt.wraps_safely(self._field_body(text)))
        #: (record, field) evaluations that ran as a one-field jq program (tests and bench/mapping.py)
        self.single_field_runs = 0
        #: the runtime guard's findings, in order (``map_items`` hands each run's share to its result)
        self.disagreements: list[guard.Disagreement] = []
        self.sampler = guard.Sampler()
        self._trust = guard.generation()
        self._row, self._natives, self._rest = self._native_row()
        #: how many records jqnative handed to jq (it could not be sure); a figure for bench/mapping.py
        self.jq_records = 0
        # jq runs the whole mapping where jqnative bails, and the fields it does not compile: both
        # programs compile on first use (most mappings never need the first; the TUI makes a new
        # mapping per keystroke).
        self._programs: dict[str, tuple[Any | None, Any | None]] = {}
        self.build_plain = entity_builder(self.root)
        """The entity dict of a plain row (a tuple of values [selector, leaves…])."""

    def _compile_error(self, value: Any) -> str | None:
        try:
            return jqrt.compile_error(jqrt.as_program_text(value), self.env_access)
        except JQCompileError as exc:  # not a JQ string at all
            return exc.message

    @staticmethod
    def _field_body(text: Any) -> str:
        # Newlines keep a trailing `# comment` in a user's JQ from swallowing the rest.
        return "\n" + jqrt.format_filter(jqrt.as_program_text(text)) + "\n"

    @property
    def _program(self) -> tuple[Any | None, Any | None]:
        if "all" not in self._programs:
            self._programs["all"] = self._combined_program()
        return self._programs["all"]

    @property
    def _rest_program(self) -> tuple[Any | None, Any | None]:
        if "rest" not in self._programs:
            self._programs["rest"] = self._combined_program(self._rest)
        return self._programs["rest"]

    def _combined_program(self, indices: Sequence[int] | None = None) -> tuple[Any | None, Any | None]:
        """Two programs over a whole batch: a fast one with one ``try`` per record, and an exact
        one with one ``try`` per field for the records the fast one could not settle.

        ``indices``: which of [selector, leaves…] the programs compute (default: all)."""
        parts = [self.query] + [leaf.expr for leaf in self.leaves]
        errors = [self.selector_error] + [leaf.compile_error for leaf in self.leaves]
        if indices is None:
            indices = range(len(parts))
        fast: list[str] = []
        exact: list[str] = []
        for index in indices:
            text, error = parts[index], errors[index]
            if error is not None or index in self.per_field_positions:
                # no program, or one jq evaluates field by field (``_jq_rows`` fills it in)
                fast.append("null")
                exact.append("null")
                continue
            body = self._field_body(text)
            if jqrt.is_single_output(body):
                fast.append("(" + body + ")")
                exact.append("(try [" + body + "] catch null)")
            else:
                fast.append("first(" + body + ")")
                exact.append("(try [first(" + body + ")] catch null)")
        # A record whose fields each give exactly one value (the usual case) comes back as a
        # plain row; an error anywhere, or a field with no output (a shorter row), sends that
        # record to the exact program. One array out for the whole batch: converting one jq
        # value to Python is much cheaper than converting one per record.
        prefix = jqrt.environment_prefix(self.env_access)  # what `env` means (Ocean's, never ours)
        fast_text = prefix + "[.[] | try [" + ",".join(fast) + "] catch null]"
        exact_text = prefix + "[.[] | [" + ",".join(exact) + "]]"
        try:
            fast_program = jqrt.compile_raw(fast_text)
        except JQCompileError:
            return None, None  # pathological user text that only compiles on its own: per field
        # The exact program compiles the first time a record needs it (most batches never do: a
        # compile is ~1–2 ms, libjq parses its builtins with each); if it does not compile, those
        # records go field by field, as ``_jq_rows`` does when it fails.
        return fast_program, _CompiledOnUse(exact_text)

    @property
    def native_fields(self) -> int:
        """How many of [selector, leaves…] run as Python (builder.engine.jqnative) rather than in jq."""
        return sum(self.native_flags)

    @property
    def native_flags(self) -> tuple[bool, ...]:
        """Per position of [selector, leaves…]: does it run as Python (builder.engine.jqnative)?"""
        return tuple(program is not None for program in self._natives)

    def _native_row(self) -> tuple[RowFunction | None, list[jqnative.NativeProgram | None], list[int]]:
        """The fields that compile to Python (builder.engine.jqnative), as one function per record.

        Returns (row function or None, native programs by position, positions left to jq)."""
        parts = [self.query] + [leaf.expr for leaf in self.leaves]
        errors = [self.selector_error] + [leaf.compile_error for leaf in self.leaves]
        programs = [None if error or not self.native or guard.distrusted(jqrt.as_program_text(text))
                    else jqnative.compile_native(jqrt.as_program_text(text)) for text, error in zip(parts, errors)]
        rest = [i for i, (program, error) in enumerate(zip(programs, errors)) if program is None and error is None]
        if all(program is None for program in programs):
            return None, programs, rest
        if not self.FUSE:
            fns = [program.fn if program is not None else None for program in programs]
            return (lambda v: tuple(fn(v) if fn is not None else None for fn in fns)), programs, rest
        return jqnative.fuse(programs), programs, rest

    # -- evaluation ----------------------------------------------------------------------------
    #: Records per jq run. One program over a bounded slice keeps jq's input text and the objects it
    #: hands back small: 20,000 records in one run cost ~20% more CPU than in slices of 1,000
    #: (mostly garbage-collector passes over the growing heap; bench/mapping.py).
    SLICE = 1000
    #: One generated function per record for all fields (compiling it costs a few ms: worth it for
    #: a batch, not for the one record the TUI previews on each keystroke).
    FUSE = True

    def evaluate(self, items: Sequence[Any], clean: bool = False) -> list[list[Any]]:
        """Per item: [selector marker, leaf markers…] where a marker is [v], [] or None (error)."""
        return [self.markers(row) for row in self.evaluate_rows(items, clean)]

    def markers(self, row: Any) -> list[Any]:
        """A row of ``evaluate_rows`` as markers."""
        if row.__class__ is not tuple:
            return row
        markers: list[list[Any] | None] = [[value] for value in row]
        for position in self.static_errors:
            markers[position] = None
        return markers

    def evaluate_rows(self, items: Sequence[Any], clean: bool = False, *, chunk: int | None = None,
                      cancelled: Callable[[], bool] | None = None) -> list[Any]:
        """Per item, either a tuple of plain values [selector, leaves…] (every field gave one
        value; positions in ``static_errors`` hold None and mean "does not compile"), or a list
        of markers as in ``evaluate``. ``clean``: the items are in jqrt.normal_form already
        (``Extraction.clean``).

        ``chunk``: records per evaluation step (default ``SLICE``); ``cancelled`` is asked before
        each step and raises ``Cancelled`` when it says true (the TUI's newer keystroke)."""
        size = chunk or self.SLICE
        if cancelled is None and len(items) <= size:
            return self._evaluate_slice(items, clean, 0)
        out: list[Any] = []
        for start in range(0, max(len(items), 1), size):
            if cancelled is not None and cancelled():
                raise Cancelled
            out.extend(self._evaluate_slice(items[start:start + size], clean, start))
        return out

    def _evaluate_slice(self, items: Sequence[Any], clean: bool, offset: int) -> list[Any]:
        if not items:
            return []
        collecting = gc.isenabled()
        if collecting:
            gc.disable()  # nothing here makes cycles; a pass over every record per few hundred lists does not pay
        try:
            while True:
                if self._trust != guard.generation():
                    self._refresh_fast_path()
                if self._row is None:
                    return self._jq_rows(self._program, items, None)
                rows = self._native_rows(self._row, items, clean)
                found = guard.check(self, items, rows, offset)
                if not found:
                    return rows
                # The guard distrusted a field: map these records again with it in jq, so every
                # answer handed out is jq's (not only the sampled records').
                self.disagreements.extend(found)
        finally:
            if collecting:
                gc.enable()

    def _refresh_fast_path(self) -> None:
        self._trust = guard.generation()
        self._row, self._natives, self._rest = self._native_row()
        self._programs.pop("rest", None)

    def reference_rows(self, items: Sequence[Any]) -> list[Any]:
        """Rows of every field computed by jq alone (what the guard compares the fast path with)."""
        return self._jq_rows(self._program, items, None)

    def field_name(self, position: int) -> str:
        """The name of position ``position`` of [selector, leaves…]."""
        return "selector.query" if position == 0 else self.leaves[position - 1].name

    def program_text(self, position: int) -> str:
        return jqrt.as_program_text(self.query if position == 0 else self.leaves[position - 1].expr)

    def _native_rows(self, row: RowFunction, items: Sequence[Any], clean: bool) -> list[Any]:
        rows: list[Any] = []
        to_jq: list[int] = []  # records only jq can settle (jqnative bailed)
        for index, item in enumerate(items):
            try:
                if not clean:
                    jqrt.normal_form(item)  # raises for what only jq can tell (big integers…)
                rows.append(row(item))
            except Exception:
                markers = self._native_markers(item)
                if markers is None:
                    to_jq.append(index)
                rows.append(markers)
        if self._rest:
            self._fill_rest(items, rows, to_jq)
        if to_jq:
            self.jq_records += len(to_jq)
            again = self._jq_rows(self._program, [items[i] for i in to_jq], None)
            for index, value in zip(to_jq, again):
                rows[index] = value
        return rows

    def _native_markers(self, item: Any) -> list[Any] | None:
        """Markers for a record whose native row raised: None when a field needs jq."""
        try:
            jqrt.normal_form(item)
        except Exception:
            return None
        markers: list[Any] = []
        for program in self._natives:
            if program is None:
                markers.append(None)
                continue
            try:
                outcome = jqnative.run(program, item)
            except Exception:  # a jqnative bug must cost speed, never a result (the tests hunt them)
                return None
            if outcome is None:
                return None
            markers.append(_marker(outcome))
        return markers

    def _fill_rest(self, items: Sequence[Any], rows: list[Any], to_jq: list[int]) -> None:
        """Compute the fields jqnative does not compile with jq, for the records it settled."""
        skip = set(to_jq)
        wanted = [i for i in range(len(items)) if i not in skip]
        if not wanted:
            return
        rest = self._rest
        got = self._jq_rows(self._rest_program, [items[i] for i in wanted], rest)
        for index, part in zip(wanted, got):
            base = rows[index]
            if base.__class__ is tuple and part.__class__ is tuple:
                merged = list(base)
                for position, value in zip(rest, part):
                    merged[position] = value
                rows[index] = tuple(merged)
            else:
                merged = self.markers(base) if base.__class__ is tuple else base
                part_markers = part if part.__class__ is list else [[value] for value in part]
                for position, marker in zip(rest, part_markers):
                    merged[position] = marker
                rows[index] = merged

    def _jq_rows(self, programs: tuple[Any, Any], items: Sequence[Any], indices: Sequence[int] | None) -> list[Any]:
        """Rows from jq's combined programs for ``indices`` (default: every field) of ``items``."""
        fast, exact = programs
        positions = range(len(self.leaves) + 1) if indices is None else indices
        if fast is None:
            return [[self._evaluate_one_at(item, p) for p in positions] for item in items]
        width = len(positions)
        try:
            rows = fast.input_text(json.dumps(items)).first()
        except Exception:
            rows = [None] * len(items)
        out: list[Any] = []
        redo: list[int] = []
        for index, row in enumerate(rows):
            if row is None or len(row) != width:
                redo.append(index)
                out.append(None)
                continue
            out.append(tuple(row))
        if redo:
            try:
                again = exact.input_text(json.dumps([items[i] for i in redo])).first()
            except Exception:
                again = [[self._evaluate_one_at(items[i], p) for p in positions] for i in redo]
            for index, markers in zip(redo, again):
                out[index] = markers
        alone = [(column, p) for column, p in enumerate(positions) if p in self.per_field_positions]
        if alone:
            self._fill_per_field(items, out, positions, alone)
        return out

    def _fill_per_field(self, items: Sequence[Any], rows: list[Any], positions: Sequence[int],
                        alone: list[tuple[int, int]]) -> None:
        """The fields of ``per_field_positions`` in rows of the combined programs, one jq run each."""
        for index, item in enumerate(items):
            row = rows[index]
            for column, position in alone:
                marker = self._evaluate_one_at(item, position)
                if row.__class__ is tuple:
                    if marker:  # one value: the row stays plain
                        row = row[:column] + (marker[0],) + row[column + 1:]
                        continue
                    row = [None if p in self.static_errors else [value] for p, value in zip(positions, row)]
                row[column] = marker
            rows[index] = row

    def _evaluate_one_at(self, item: Any, position: int) -> Any:
        self.single_field_runs += 1
        if position == 0:
            return _marker(jqrt.first(self.query, item, self.env_access)) if self.selector_error is None else None
        leaf = self.leaves[position - 1]
        return None if leaf.compile_error else _marker(jqrt.first(leaf.expr, item, self.env_access))

    def _evaluate_one(self, item: Any) -> list[Any]:
        """Markers for one record, field by field in jq (the reference the batch paths must match)."""
        return [self._evaluate_one_at(item, position) for position in range(len(self.leaves) + 1)]

    def selector_outcome(self, item: Any) -> Outcome:
        if self.selector_error:
            return Outcome("error", None, self.selector_error)
        return jqrt.first(self.query, item, self.env_access)

    def leaf_outcome(self, leaf_index: int, item: Any) -> Outcome:
        leaf = self.leaves[leaf_index]
        if leaf.compile_error:
            return Outcome("error", None, leaf.compile_error)
        return jqrt.first(leaf.expr, item, self.env_access)

    def build(self, markers: list[Any]) -> dict[str, Any]:
        """The entity dict Ocean's processor produces for one item (before pydantic)."""
        if markers.__class__ is tuple:
            return self.build_plain(markers)
        return self.build_plain([marker[0] if marker else None for marker in markers])

class _CompiledOnUse:
    """A combined program compiled when first run (``input_text``); a compile error is raised then."""

    __slots__ = ("text", "_program")

    def __init__(self, text: str) -> None:
        self.text = text
        self._program: Any = None

    def input_text(self, text: str) -> Any:
        if self._program is None:
            self._program = jqrt.compile_raw(self.text)
        return self._program.input_text(text)


def _marker(outcome: Outcome) -> Any:
    if outcome.status == "error":
        return None
    if outcome.status == "empty":
        return []
    return [outcome.value]


class PerFieldMapping(CompiledMapping):
    """The compiled mapping for one record: no whole-batch jq programs, no fused row.

    For one record, each field's own compiled form (cached by text: only the field being edited
    compiles anew) is much cheaper than building programs that span every field, on every
    keystroke: jqnative's per-field functions, and one cached jq call per field where it bails.
    The outcomes are the same.
    """

    FUSE = False

    def _combined_program(self, indices: Sequence[int] | None = None) -> tuple[Any | None, Any | None]:
        return None, None
