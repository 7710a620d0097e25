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
previews on each keystroke. ``compile_mapping`` caches each by content, variant and fast-path switch.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from builder.engine import jqnative, jqrt
from builder.engine.jqrt import JQCompileError, Outcome
from builder.engine.mapping import guard

#: One record → the values of [selector, leaves…] (jqnative's fused function).
RowFunction = Callable[[Any], tuple[Any, ...]]

# -- the compiled form of one mapping ----------------------------------------------------------


def leaf_name(path: tuple[Any, ...]) -> str:
    """A mapping leaf's field name as the engine reports it: ``properties.x``, ``identifier.rules[0].value``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class Leaf:
    path: tuple[Any, ...]  # ("properties", "x") or ("identifier", "rules", 0, "value")
    expr: Any  # as written in the mapping
    compile_error: str | None

    @property
    def name(self) -> str:
        return leaf_name(self.path)


@dataclass
class _Node:
    """The mapping's shape, ordered as Ocean's deep merge leaves it (see ``_build_node``)."""

    kind: str  # "leaf" | "dict" | "list" | "invalid"
    leaf_index: int = -1
    children: list[tuple[Any, _Node]] = field(default_factory=list)


_QUERY_FIELDS = ("combinator", "rules")  # port_ocean ... port_app_config/models.py: IngestSearchQuery
_RULE_FIELDS = ("property", "operator", "value")  # ... and Rule (each a str field)


def _is_search_query_path(path: tuple[Any, ...]) -> bool:
    """identifier, team and relations.<name> may be search queries; so may items of their rules."""
    if path in (("identifier",), ("team",)) or (len(path) == 2 and path[0] == "relations"):
        return True
    return len(path) > 2 and path[-2] == "rules" and isinstance(path[-1], int) and _is_search_query_path(path[:-2])


def _search_query_fields(value: dict[str, Any], path: tuple[Any, ...]) -> tuple[str, ...] | None:
    """The model fields Ocean keeps for a search-query dict at ``path`` (None: not a search query)."""
    if not _is_search_query_path(path):
        return None
    # `rules: list[Rule | IngestSearchQuery]`: pydantic tries Rule first, which needs all three
    # fields as str-coercible scalars.
    if len(path) > 2 and all(isinstance(value.get(key), (str, int, float)) for key in _RULE_FIELDS):
        return _RULE_FIELDS
    return _QUERY_FIELDS


def _compiles(value: Any, env_access: bool) -> bool:
    if not isinstance(value, (str, int, float)):
        return False
    try:
        jqrt.compile_program(jqrt.as_program_text(value), env_access)
    except JQCompileError:
        return False
    return True


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
        self.leaves: list[Leaf] = []
        self.root = self._build_node(mappings, ())
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
        self.build_plain = self._make_builder()
        """The entity dict of a plain row (a tuple of values [selector, leaves…])."""

    def _compile_error(self, value: Any) -> str | None:
        try:
            jqrt.compile_program(jqrt.as_program_text(value), self.env_access)
        except JQCompileError as exc:
            return exc.message
        return None

    def _build_node(self, value: Any, path: tuple[Any, ...]) -> _Node:
        if isinstance(value, dict):
            fields = _search_query_fields(value, path)
            if fields is not None:
                # pydantic parses a search query into IngestSearchQuery / Rule: the dict Ocean
                # evaluates has the model's field order, and unknown keys are gone.
                value = {key: value[key] for key in fields if key in value}
            # Ocean evaluates compilable leaves in a process pool and the rest in-process, then
            # deep-merges the two dicts: keys that fail to compile (and lists, which cannot be
            # compiled) land after the others. Key order is part of "byte-for-byte".
            first_half: list[tuple[Any, _Node]] = []
            second_half: list[tuple[Any, _Node]] = []
            for key, child in value.items():
                node = self._build_node(child, path + (key,))
                if isinstance(child, dict) or _compiles(child, self.env_access):
                    first_half.append((key, node))
                else:
                    second_half.append((key, node))
            return _Node("dict", children=first_half + second_half)
        if isinstance(value, list):
            children = []
            for index, child in enumerate(value):
                if isinstance(child, dict):
                    children.append((index, self._build_node(child, path + (index,))))
                else:
                    # Ocean calls `_search_as_object` on each list item; a non-dict item raises and
                    # the whole list becomes null.
                    children.append((index, _Node("invalid")))
            return _Node("list", children=children)
        error = None
        try:
            text = jqrt.as_program_text(value)
            jqrt.compile_program(text, self.env_access)
        except JQCompileError as exc:
            error = exc.message if value is not None else "no JQ given (the value is empty)"
        self.leaves.append(Leaf(path, value, error))
        return _Node("leaf", leaf_index=len(self.leaves) - 1)

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
            return jqrt.compile_raw(fast_text), jqrt.compile_raw(exact_text)
        except JQCompileError:
            return None, None  # pathological user text that only compiles on its own: per field

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

    def _make_builder(self) -> Any:
        # The entity's shape is fixed per mapping, so we generate one Python expression for it
        # (``{"identifier": v[1], "properties": {"a": v[2]}}``) instead of walking the node tree
        # for every record: this is a third of the engine's Python time on a 1,000-record page.
        def source(node: _Node) -> str:
            if node.kind == "leaf":
                return f"v[{node.leaf_index + 1}]"
            if node.kind == "dict":
                return "{" + ", ".join(f"{key!r}: {source(child)}" for key, child in node.children) + "}"
            if node.kind == "list" and not any(child.kind == "invalid" for _, child in node.children):
                return "[" + ", ".join(source(child) for _, child in node.children) + "]"
            return "None"

        return eval("lambda v: " + source(self.root), {"__builtins__": {}})  # noqa: S307 - keys are repr()s


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


#: ``variant`` of compile_mapping / map_items: "batch" for many records, "record" for the one in view
VARIANTS: dict[str, type[CompiledMapping]] = {"batch": CompiledMapping, "record": PerFieldMapping}

_compiled_cache: dict[str, CompiledMapping] = {}


def _cache_key(mappings: dict[str, Any], query: str, env_access: bool, native: bool, variant: str) -> str:
    # The environment `env` reads is part of what a compiled mapping computes (jqrt.install_environment).
    return json.dumps([mappings, query, jqrt.environment_prefix(env_access), native, variant], sort_keys=False,
                      default=str)


def compile_mapping(mappings: dict[str, Any], query: str, env_access: bool = True, *, native: bool = True,
                    variant: str = "batch") -> CompiledMapping:
    """Cached by content, so re-running after an unrelated edit costs no compile. ``native``: the
    fast path on (off: every field in jq). ``variant``: a key of ``VARIANTS``; each has its own
    cache entry, so a one-record preview never hands its variant to a batch run."""
    key = _cache_key(mappings, query, env_access, native, variant)
    found = _compiled_cache.get(key)
    if found is None:
        if len(_compiled_cache) > 256:
            _compiled_cache.clear()
        found = VARIANTS[variant](mappings, query, env_access, native=native)
        _compiled_cache[key] = found
    return found


def clear_compiled_cache() -> None:
    _compiled_cache.clear()
