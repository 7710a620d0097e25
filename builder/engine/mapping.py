"""The mapping engine: raw API responses → the exact entities Ocean would send to Port.

Pipeline, with Ocean's semantics (reference/ocean-port.md §2–§3, checked against port-ocean 0.56.2):

1. ``data_path`` per response (page), first JQ output only: a list gives its elements, any other
   non-null value one item, null nothing. A page whose items are not all objects is rejected as a
   whole, as Ocean's ``validate_result`` aborts that batch.
2. ``itemsToParse``: each item expands into ``{...item without the path, <name>: element}``.
3. ``selector.query`` must yield a real boolean; anything else is an error for that item.
4. ``entity.mappings``: every leaf is JQ (blueprint included), first output only; an error or no
   output becomes null; nested dicts recurse; identifier and blueprint must be truthy.

Speed is what makes live preview possible: each leaf compiles once (cached). Leaves that
builder.engine.jqnative compiles run as one generated Python function per record; jq runs the rest as ONE
program over the whole batch, and every record jqnative is not sure about. There,
``try [first(f)] catch null`` per leaf tells value (``[v]``), no output (``[]``) and error
(``null``) apart. jq's error text is fetched per field only for the records the user looks at.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from builder.engine import jqnative, jqrt
from builder.engine.jqrt import JQCompileError, Outcome

# -- the compiled form of one mapping ----------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    path: tuple[Any, ...]  # ("properties", "x") or ("identifier", "rules", 0, "value")
    expr: Any  # as written in the mapping
    compile_error: str | None

    @property
    def name(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
        return out


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


class CompiledMapping:
    """A resource's selector and entity mapping, compiled once and reused for every batch."""

    def __init__(self, mappings: dict[str, Any], query: str, env_access: bool = True) -> None:
        self.mappings = mappings
        self.query = query
        self.env_access = env_access
        self.leaves: list[Leaf] = []
        self.root = self._build_node(mappings, ())
        self.selector_error = self._compile_error(query)
        static_errors = [0] if self.selector_error else []
        static_errors += [i + 1 for i, leaf in enumerate(self.leaves) if leaf.compile_error]
        #: positions of [selector, leaves…] that do not compile: None in a plain row means an error there
        self.static_errors: tuple[int, ...] = tuple(static_errors)
        self._row, self._natives, self._rest = self._native_row()
        #: how many records jqnative handed to jq (it could not be sure); a figure for bench/mapping.py
        self.jq_records = 0
        # jq runs the whole mapping where jqnative bails, and the fields it does not compile: both
        # programs compile on first use (most mappings never need the first; the TUI makes a new
        # mapping per keystroke).
        self._programs: dict[str, tuple[Any | None, Any | None]] = {}
        self._builder = self._make_builder()

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
            if error is not None:
                fast.append("null")
                exact.append("null")
                continue
            # Newlines keep a trailing `# comment` in a user's JQ from swallowing the rest.
            body = "\n" + jqrt.format_filter(jqrt.as_program_text(text)) + "\n"
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
        prefix = "" if self.env_access else "def env: {}; {} as $ENV | "
        fast_text = prefix + "[.[] | try [" + ",".join(fast) + "] catch null]"
        exact_text = prefix + "[.[] | [" + ",".join(exact) + "]]"
        import jq

        try:
            return jq.compile(fast_text), jq.compile(exact_text)
        except Exception:
            return None, None  # pathological user text that only compiles on its own: per field

    @property
    def native_fields(self) -> int:
        """How many of [selector, leaves…] run as Python (builder.engine.jqnative) rather than in jq."""
        return sum(program is not None for program in self._natives)

    def _native_row(self) -> tuple[Any | None, list[Any], list[int]]:
        """The fields that compile to Python (builder.engine.jqnative), as one function per record.

        Returns (row function or None, native programs by position, positions left to jq)."""
        parts = [self.query] + [leaf.expr for leaf in self.leaves]
        errors = [self.selector_error] + [leaf.compile_error for leaf in self.leaves]
        programs = [None if error or not USE_NATIVE else jqnative.compile_native(jqrt.as_program_text(text))
                    for text, error in zip(parts, errors)]
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
        markers = [[value] for value in row]
        for position in self.static_errors:
            markers[position] = None
        return markers

    def evaluate_rows(self, items: Sequence[Any], clean: bool = False) -> list[Any]:
        """Per item, either a tuple of plain values [selector, leaves…] (every field gave one
        value; positions in ``static_errors`` hold None and mean "does not compile"), or a list
        of markers as in ``evaluate``. ``clean``: the items are in jqrt.normal_form already
        (``Extraction.clean``)."""
        if len(items) <= self.SLICE:
            return self._evaluate_slice(items, clean)
        out: list[Any] = []
        for start in range(0, len(items), self.SLICE):
            out.extend(self._evaluate_slice(items[start:start + self.SLICE], clean))
        return out

    def _evaluate_slice(self, items: Sequence[Any], clean: bool) -> list[Any]:
        if not items:
            return []
        collecting = gc.isenabled()
        if collecting:
            gc.disable()  # nothing here makes cycles; a pass over every record per few hundred lists does not pay
        try:
            if self._row is None:
                return self._jq_rows(self._program, items, None)
            return self._native_rows(items, clean)
        finally:
            if collecting:
                gc.enable()

    def _native_rows(self, items: Sequence[Any], clean: bool) -> list[Any]:
        row = self._row
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
        return out

    def _evaluate_one_at(self, item: Any, position: int) -> Any:
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
            return self._builder(markers)
        return self._builder([marker[0] if marker else None for marker in markers])

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


_compiled_cache: dict[str, CompiledMapping] = {}

#: Off: every field runs in jq (tests compare the two; bench/mapping.py --jq-only shows the difference).
USE_NATIVE = True


def _cache_key(mappings: dict[str, Any], query: str, env_access: bool) -> str:
    return json.dumps([mappings, query, env_access, USE_NATIVE], sort_keys=False, default=str)


def compile_mapping(mappings: dict[str, Any], query: str, env_access: bool = True,
                    factory: type[CompiledMapping] | None = None) -> CompiledMapping:
    """Cached by content, so re-running after an unrelated edit costs no compile. ``factory``: the
    class to compile with when nothing is cached yet (the TUI's per-record variant)."""
    key = _cache_key(mappings, query, env_access)
    found = _compiled_cache.get(key)
    if found is None:
        if len(_compiled_cache) > 256:
            _compiled_cache.clear()
        found = (factory or CompiledMapping)(mappings, query, env_access)
        _compiled_cache[key] = found
    return found


def clear_compiled_cache() -> None:
    _compiled_cache.clear()


# -- results ------------------------------------------------------------------------------------


@dataclass
class Dropped:
    """An item that produced no entity, and why. ``stage`` names the step that dropped it."""

    stage: str  # data_path | not_object | items_to_parse | selector | selector_error | identifier | blueprint | entity
    reason: str
    record: int | None = None  # index into MappingResult.records (None for page-level drops)
    page: int | None = None
    item: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "reason": self.reason}
        if self.record is not None:
            out["record"] = self.record
        if self.page is not None:
            out["page"] = self.page
        return out


@dataclass
class FieldStatus:
    """How one mapping field fared across every record that passed the selector."""

    path: str
    expr: Any
    compile_error: str | None = None
    ok: int = 0
    nulls: int = 0  # a genuine null result
    empties: int = 0  # no output at all (Ocean sends null)
    errors: int = 0
    first_error_record: int | None = None
    first_error: str | None = None
    first_null_record: int | None = None

    @property
    def state(self) -> str:
        if self.errors:
            return "error"
        if self.nulls or self.empties:
            return "null"
        return "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "expr": self.expr,
            "ok": self.ok,
            "nulls": self.nulls + self.empties,
            "errors": self.errors,
            "first_error_record": self.first_error_record,
            "error": self.first_error,
            "first_null_record": self.first_null_record,
        }


@dataclass
class FieldValue:
    path: str
    expr: Any
    outcome: Outcome


@dataclass
class MappingResult:
    records: list[Any]  # items after data_path and itemsToParse, in order
    entities: list[dict[str, Any]]  # Ocean's payloads, in order
    entity_records: list[int]  # record index of each entity
    dropped: list[Dropped]
    fields: dict[str, FieldStatus]
    selector: FieldStatus
    compiled: CompiledMapping
    passed: int = 0  # records whose selector said true
    filtered: int = 0  # records whose selector said false
    pages: int = 0
    _markers: list[list[Any]] = field(default_factory=list, repr=False)

    @property
    def kept(self) -> int:
        return len(self.entities)

    def entity_for_record(self, record: int) -> dict[str, Any] | None:
        try:
            return self.entities[self.entity_records.index(record)]
        except ValueError:
            return None

    def drop_for_record(self, record: int) -> Dropped | None:
        for drop in self.dropped:
            if drop.record == record:
                return drop
        return None

    def values(self, record: int) -> list[FieldValue]:
        """Every field's outcome for one record, with jq's own error text where it failed."""
        item = self.records[record]
        markers = self.compiled.markers(self._markers[record]) if record < len(self._markers) else None
        out = []
        for index, leaf in enumerate(self.compiled.leaves):
            marker = markers[index + 1] if markers is not None else None
            if markers is not None and marker is not None:
                outcome = Outcome("empty") if marker == [] else Outcome(
                    "null" if marker[0] is None else "ok", marker[0])
            else:
                outcome = self.compiled.leaf_outcome(index, item)
            out.append(FieldValue(leaf.name, leaf.expr, outcome))
        return out

    def selector_value(self, record: int) -> Outcome:
        return self.compiled.selector_outcome(self.records[record])

    def to_json(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "dropped": [drop.to_json() for drop in self.dropped],
            "fields": {name: status.to_json() for name, status in self.fields.items()},
        }


# -- stage 1 and 2: responses → items -----------------------------------------------------------

ITEMS_TO_PARSE_BATCH_SIZE = 200  # Ocean's yield_items_to_parse_batch_size default


@dataclass
class Extraction:
    records: list[Any]
    dropped: list[Dropped]
    pages: int
    record_pages: list[int]
    # Ocean's parse_items batch of each record: its page, or (page, parent item, chunk of 200)
    # with itemsToParse. An entity Ocean's Entity model rejects loses its whole batch.
    record_batches: list[Any] = field(default_factory=list)
    # Every record came out of jq (or jqrt.normal_form): numbers as jq hands them back. False when
    # a page was taken as it is (data_path '.' on an object), which costs jqnative a check per record.
    clean: bool = True


def extract_items(responses: Sequence[Any], data_path: str | None, items_to_parse: str | None = None,
                  items_to_parse_name: str = "item", top_level_transform: bool = True,
                  env_access: bool = True, page_params: Sequence[dict[str, str]] | None = None) -> Extraction:
    """Apply data_path to each response (page) and itemsToParse to each item, as Ocean does.

    ``page_params``: for a kind with a path parameter (``/teams/{team_id}/members``), the values
    each page was fetched with; Ocean injects them as ``__<name>`` into every item data_path finds.
    """
    records: list[Any] = []
    record_pages: list[int] = []
    record_batches: list[Any] = []
    dropped: list[Dropped] = []
    path = data_path or "."
    clean = True
    for page, response in enumerate(responses):
        # Ocean's custom integration: with the default data_path '.', an object response is
        # one item as it is (no JQ run), a list response is searched like any other path.
        if path == "." and not isinstance(response, list):
            items = [response]
            clean = False
        else:
            outcome = jqrt.first(path, response, env_access)
            if outcome.status == "error":
                dropped.append(Dropped("data_path", f"data_path {path!r} failed: {outcome.error}", page=page))
                continue
            value = outcome.value
            if value is None:
                dropped.append(Dropped("data_path", f"data_path {path!r} gave "
                                       f"{'no output' if outcome.status == 'empty' else 'null'}: no items",
                                       page=page))
                continue
            items = value if isinstance(value, list) else [value]
            params = page_params[page] if page_params and page < len(page_params) else None
            if params:
                # Ocean's main.py injects after data_path (and not on the '.'-object shortcut above).
                for item in items:
                    if isinstance(item, dict):
                        item.update({f"__{name}": str(val) for name, val in params.items()})
        bad = next((i for i, item in enumerate(items) if not isinstance(item, dict)), None)
        if bad is not None:
            # validate_result rejects the whole batch (and disables deletions for that resync).
            reason = (f"page {page + 1}: item {bad} is {_json_type(items[bad])}, not an object; Ocean rejects "
                      f"this page's {len(items)} items as a whole")
            for item in items:
                dropped.append(Dropped("not_object", reason, page=page, item=item))
            continue
        if items_to_parse:
            sizes: list[int] = []
            expanded, drops = _expand_items(items, items_to_parse, items_to_parse_name, top_level_transform,
                                            page, env_access, sizes)
            dropped.extend(drops)
            items = expanded
            # handle_items_to_parse yields each parent's elements in batches of
            # yield_items_to_parse_batch_size (200); a batch never spans two parents.
            for parent, size in enumerate(sizes):
                record_batches.extend((page, parent, i // ITEMS_TO_PARSE_BATCH_SIZE) for i in range(size))
        else:
            record_batches.extend([page] * len(items))
        records.extend(items)
        record_pages.extend([page] * len(items))
    return Extraction(records, dropped, len(responses), record_pages, record_batches, clean)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _expand_items(items: list[dict[str, Any]], items_to_parse: str, name: str, top_level_transform: bool,
                  page: int, env_access: bool, sizes: list[int] | None = None) -> tuple[list[Any], list[Dropped]]:
    out: list[Any] = []
    drops: list[Dropped] = []
    delete_target = deletion_path(items_to_parse) or "."
    transform = f". | del({delete_target})"
    starts: list[int] = []  # where each parent's elements begin in ``out``
    for item in items:
        starts.append(len(out))
        parsed = jqrt.first_value(items_to_parse, item, env_access)
        parent = item
        if top_level_transform:
            parent = jqrt.first_value(transform, item, env_access)
            if parent is None:
                drops.append(Dropped("items_to_parse", f"top-level transform {transform!r} returned null; "
                                     "Ocean skips the item", page=page, item=item))
                continue
        if not isinstance(parsed, list):
            drops.append(Dropped("items_to_parse", f"itemsToParse {items_to_parse!r} gave "
                                 f"{_json_type(parsed)}, expected an array; Ocean skips the item",
                                 page=page, item=item))
            continue
        for element in parsed:
            merged = dict(parent)
            merged[name] = element
            out.append(merged)
    if sizes is not None:  # elements per parent (0 for a skipped one)
        sizes.extend(end - start for start, end in zip(starts, starts[1:] + [len(out)]))
    return out, drops


def deletion_path(expr: str) -> str | None:
    """Ocean's ``extract_jq_deletion_path_revised``: the simple path ``del()`` removes from the parent."""
    import re

    text = expr.strip()
    if text.startswith("("):
        found = re.match(r"\((.*?)\)", text, re.DOTALL)
        if not found:
            return None
        chain = found.group(1).strip()
    else:
        chain = text
    for segment in chain.split("|"):
        segment = segment.strip()
        if re.match(r"^\.\s+as\s+\$\w+", segment):
            continue
        if segment == "." or segment.startswith("$"):
            continue
        found = re.match(r"(\.[\w]+|\.\[[^\]]+\])(\.[\w]+|\[[^\]]+\]|\.\[[^\]]+\])*", segment)
        if found:
            return found.group(0).strip()
    return None


# -- stage 3 and 4: items → entities ------------------------------------------------------------


def map_items(records: Sequence[Any], mappings: dict[str, Any], query: str = "true", *,
              env_access: bool = True, dropped: list[Dropped] | None = None, pages: int = 0,
              batches: Sequence[Any] | None = None, clean: bool = False) -> MappingResult:
    """``batches``: Ocean's parse_items batch of each record (``Extraction.record_batches``); when
    given, an entity the Entity model rejects loses its whole batch, as in Ocean. ``clean``: the
    records are in jqrt.normal_form (``Extraction.clean``), which spares a check per record."""
    compiled = compile_mapping(mappings, query, env_access)
    rows = compiled.evaluate_rows(records, clean)
    fields = {leaf.name: FieldStatus(leaf.name, leaf.expr, leaf.compile_error) for leaf in compiled.leaves}
    statuses = list(fields.values())
    selector = FieldStatus("selector.query", query, compiled.selector_error)
    result = MappingResult(list(records), [], [], list(dropped or []), fields, selector, compiled, pages=pages,
                           _markers=rows)
    build = compiled._builder
    entities, entity_records, drops = result.entities, result.entity_records, result.dropped
    plain: list[tuple[Any, ...]] = []  # rows of records that passed the selector with one value per field
    plain_records: list[int] = []
    selector_broken = 0 in compiled.static_errors
    for index, row in enumerate(rows):
        plain_row = row.__class__ is tuple
        if plain_row:
            marker = None if selector_broken else [row[0]]
        else:
            marker = row[0]
        if not marker or not isinstance(marker[0], bool):
            _selector_failed(result, compiled, records, index, marker)
            continue
        if marker[0] is False:
            result.filtered += 1
            drops.append(Dropped("selector", "selector.query is false", record=index))
            continue
        if plain_row:
            plain.append(row)
            plain_records.append(index)
            entity = build(row)
        else:
            _count_markers(statuses, row, index, records, compiled)
            entity = compiled.build(row)
        selector.ok += 1
        result.passed += 1
        # Ocean keeps an entity only if identifier and blueprint are truthy *Python* values.
        if not entity.get("identifier") or not entity.get("blueprint"):
            problem = _falsy_key(entity)
            if problem:
                drops.append(Dropped(problem[0], problem[1], record=index))
                continue
        payload, error = to_payload(entity)
        if error:
            drops.append(Dropped("entity", error, record=index))
            continue
        entities.append(payload)
        entity_records.append(index)
    if plain:
        _count_plain(statuses, plain, plain_records, compiled)
    if batches is not None:
        lose_failed_batches(result, batches)
    return result


def _selector_failed(result: MappingResult, compiled: CompiledMapping, records: Sequence[Any], index: int,
                     marker: Any) -> None:
    selector = result.selector
    message = _selector_message(compiled, records[index], marker)
    selector.errors += 1
    if selector.first_error_record is None:
        selector.first_error_record = index
        selector.first_error = message
    result.dropped.append(Dropped("selector_error", message, record=index))


def _count_markers(statuses: list[FieldStatus], row: list[Any], index: int, records: Sequence[Any],
                   compiled: CompiledMapping) -> None:
    for status, marker in zip(statuses, row[1:]):
        if marker is None:
            status.errors += 1
            if status.first_error_record is None:
                status.first_error_record = index
                status.first_error = status.compile_error or _leaf_message(compiled, status, records[index])
        elif marker == []:
            status.empties += 1
            if status.first_null_record is None:
                status.first_null_record = index
        elif marker[0] is None:
            status.nulls += 1
            if status.first_null_record is None:
                status.first_null_record = index
        else:
            status.ok += 1


def _count_plain(statuses: list[FieldStatus], plain: list[tuple[Any, ...]], plain_records: list[int],
                 compiled: CompiledMapping) -> None:
    """Field counts over the plain rows, a column at a time (C loops, not one per cell)."""
    columns = list(zip(*plain))
    static = set(compiled.static_errors)
    for position, (status, column) in enumerate(zip(statuses, columns[1:]), start=1):
        if position in static:
            status.errors += len(column)
            first = plain_records[0]
            if status.first_error_record is None or first < status.first_error_record:
                status.first_error_record = first
                status.first_error = status.compile_error
            continue
        nulls = column.count(None)
        status.nulls += nulls
        status.ok += len(column) - nulls
        if nulls:
            first = plain_records[column.index(None)]
            if status.first_null_record is None or first < status.first_null_record:
                status.first_null_record = first


def lose_failed_batches(result: MappingResult, batches: Sequence[Any]) -> None:
    """Ocean builds every entity with ``Entity.parse_obj`` inside ``parse_items``: one rejection
    raises out of it and the batch's other entities are never sent either."""
    failed = {batches[drop.record]: drop.record for drop in result.dropped
              if drop.stage == "entity" and drop.record is not None}
    if not failed:
        return
    entities: list[dict[str, Any]] = []
    entity_records: list[int] = []
    for entity, record in zip(result.entities, result.entity_records):
        culprit = failed.get(batches[record])
        if culprit is None:
            entities.append(entity)
            entity_records.append(record)
        else:
            result.dropped.append(Dropped("entity", f"lost with its batch: Ocean's Entity model rejected record "
                                          f"{culprit}, which fails every entity of the same batch", record=record))
    result.entities, result.entity_records = entities, entity_records


def _selector_message(compiled: CompiledMapping, item: Any, marker: Any) -> str:
    if compiled.selector_error:
        return f"selector.query does not compile: {compiled.selector_error}"
    if marker is None:
        outcome = compiled.selector_outcome(item)
        return f"selector.query failed: {outcome.error}"
    if marker == []:
        return "selector.query gave no output; Ocean needs true or false"
    return f"selector.query gave {json.dumps(marker[0])[:60]}, not a boolean; Ocean needs true or false"


def _leaf_message(compiled: CompiledMapping, status: FieldStatus, item: Any) -> str:
    for index, leaf in enumerate(compiled.leaves):
        if leaf.name == status.path:
            return compiled.leaf_outcome(index, item).error or "error"
    return "error"


def _falsy_key(entity: dict[str, Any]) -> tuple[str, str] | None:
    # Ocean keeps an entity only if identifier and blueprint are truthy *Python* values.
    for key in ("identifier", "blueprint"):
        value = entity.get(key)
        if not value:
            shown = "missing" if key not in entity else json.dumps(value)
            return key, f"{key} is {shown}; Ocean drops entities whose {key} is null, empty, 0 or false"
    return None


_ENTITY_ORDER = ("identifier", "icon", "blueprint", "title", "team", "properties", "relations")


def _pydantic_str(value: Any) -> Any:
    """pydantic v1's str coercion, which Ocean's Entity model applies to icon and team."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):  # bool included: str(True) == "True"
        return str(value)
    raise TypeError


def to_payload(entity: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``Entity.parse_obj(entity).dict(exclude_unset=True, by_alias=True)`` without pydantic."""
    payload: dict[str, Any] = {}
    for key in _ENTITY_ORDER:
        if key not in entity:
            continue
        value = entity[key]
        if key == "icon":
            try:
                value = _pydantic_str(value)
            except TypeError:
                return {}, f"icon is {_json_type(value)}; Ocean's Entity model rejects it and fails the batch"
        elif key == "team" and not isinstance(value, (list, dict)):
            try:
                value = _pydantic_str(value)
            except TypeError:
                return {}, "team is not a string, list or object; Ocean's Entity model rejects it"
        elif key in ("properties", "relations") and not isinstance(value, dict):
            return {}, f"{key} is not an object; Ocean's Entity model rejects it"
        payload[key] = value
    return payload, None


# -- the whole pipeline -------------------------------------------------------------------------


def run(resource: Any, responses: Sequence[Any], *, env_access: bool = True,
        page_params: Sequence[dict[str, str]] | None = None) -> MappingResult:
    """Map a resource (``builder.project.model.Resource``) over responses (one parsed JSON body per page).

    ``page_params``: the path-parameter values of each page, from ``FetchResult.page_params``."""
    extraction = extract_items(
        responses,
        resource.data_path,
        resource.items_to_parse,
        resource.items_to_parse_name,
        resource.items_to_parse_top_level_transform,
        env_access,
        page_params,
    )
    return map_items(extraction.records, resource.mappings, resource.query, env_access=env_access,
                     dropped=extraction.dropped, pages=extraction.pages, batches=extraction.record_batches,
                     clean=extraction.clean)


def iter_leaf_paths(mappings: dict[str, Any]) -> Iterable[str]:
    return (leaf.name for leaf in compile_mapping(mappings, "true").leaves)
