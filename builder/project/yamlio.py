"""YAML reading that remembers where each key came from, and writing that keeps key order.

Users edit project files by hand; an error must name the file, the line and the key
(``cursor-builder.yaml:14: portAppConfig.resources[2].selector.query: …``) rather than
show a traceback. PyYAML's node tree carries line marks, so we build plain Python values
from it ourselves and keep a side table of key path → line.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from builder.project.user_cache import cache_path, file_stamp, write_atomically

if TYPE_CHECKING:
    import yaml

# PyYAML (~13 ms of imports) is imported where it is used: a start from a cached preset
# (load_located_cached) shows its first frame without it.


class ProjectError(Exception):
    """A user error in a project or mapping file: one line, no traceback."""

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"


@dataclass
class LocatedYaml:
    """Plain data plus the line (1-based) of every key path, e.g. ``("resources", 0, "kind")``."""

    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    file: str | None = None

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        # Fall back to the closest ancestor that has a mark, so "missing key" errors point
        # at the mapping that should have held it.
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def error(self, path: tuple[Any, ...], message: str) -> ProjectError:
        return ProjectError(message, file=self.file, line=self.line_of(path), key=format_path(path))


def format_path(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


#: Bounds on what a project file may expand to. The Cursor preset is ~2,000 lines and 12 levels
#: deep; an alias bomb (billion laughs) expands a few lines into billions of nodes (issue #11 row 10).
MAX_NODES = 200_000
MAX_DEPTH = 64


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0


def _construct(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int],
               loader: Any, budget: _Budget | None = None) -> Any:
    budget = budget or _Budget()
    budget.nodes += 1
    if budget.nodes > MAX_NODES:
        raise ProjectError(f"the document expands to more than {MAX_NODES:,} values (aliases repeating aliases?): "
                           "write the values out or remove the aliases", line=node.start_mark.line + 1)
    if len(path) > MAX_DEPTH:
        raise ProjectError(f"nested deeper than {MAX_DEPTH} levels", line=node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    # "mapping", "sequence" or "scalar" (set by each node class; tested here without importing PyYAML)
    kind: str = node.id  # type: ignore[attr-defined]
    if kind == "mapping":
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
        if any(key_node.tag in _FLATTENED_TAGS for key_node, _ in node.value):
            loader.flatten_mapping(node)  # merge keys (`<<`) and `=` keys; most mappings have neither
        merged = len(node.value) - own  # merge keys come first; the mapping's own keys may override them
        result: dict[Any, Any] = {}
        own_lines: dict[Any, int] = {}
        for position, (key_node, value_node) in enumerate(node.value):
            if key_node.tag == _STR_TAG and key_node.id == "scalar":
                key = key_node.value  # as the constructor builds a string key, without its bookkeeping
            else:
                key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise ProjectError("mapping keys must be plain scalars", line=key_node.start_mark.line + 1)
            child = path + (key,)
            line = key_node.start_mark.line + 1
            if position >= merged:
                if key in own_lines:  # YAML allows it silently and the last one wins: almost always a mistake
                    raise ProjectError(f"duplicate key {key!r} (lines {own_lines[key]} and {line}): keep one",
                                       line=line)
                own_lines[key] = line
            lines[child] = line
            result[key] = _construct(value_node, child, lines, loader, budget)
        return result
    if kind == "sequence":
        return [_construct(item, path + (index,), lines, loader, budget) for index, item in enumerate(node.value)]
    if node.tag == _STR_TAG and kind == "scalar":
        return node.value  # what the constructor returns for a string, without its bookkeeping (most values)
    return loader.construct_object(node, deep=True)


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
#: The key tags PyYAML's ``flatten_mapping`` rewrites (merge keys, and ``=`` value keys).
_FLATTENED_TAGS = (_MERGE_TAG, "tag:yaml.org,2002:value")


def load_located(text: str, file: str | Path | None = None) -> LocatedYaml:
    import yaml

    file_name = str(file) if file is not None else None
    try:
        # libyaml's parser is several times faster on the 2,000-line Cursor preset; both keep line marks.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            root = loader.get_single_node()
            lines: dict[tuple[Any, ...], int] = {}
            data = _construct(root, (), lines, loader) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ProjectError(f"invalid YAML: {problem}", file=file_name, line=line) from None
    except yaml.YAMLError as exc:
        raise ProjectError(f"invalid YAML: {exc}", file=file_name) from None
    except ProjectError as exc:
        exc.file = file_name
        raise
    except RecursionError:
        raise ProjectError(f"nested too deep (more than {MAX_DEPTH} levels)", file=file_name) from None
    return LocatedYaml(data, lines, file_name)


@lru_cache(maxsize=1)
def _dumper() -> Any:
    """Block style, key order kept, multi-line strings as literal blocks."""
    import yaml

    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        pass

    def represent_str(dumper: Any, value: str) -> yaml.ScalarNode:
        if "\n" in value:
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
        return dumper.represent_scalar("tag:yaml.org,2002:str", value)

    Dumper.add_representer(str, represent_str)
    return Dumper


def dump(data: Any) -> str:
    import yaml

    return yaml.dump(data, Dumper=_dumper(), sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=4096)


# -- package data read faster ------------------------------------------------------------------------

#: Bumped when what ``load_located_cached`` stores changes shape.
_CACHE_FORMAT = 1


def _pyyaml_stamp() -> str:
    """Which PyYAML would parse (another one may construct values otherwise), without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("yaml")
    return file_stamp(spec.origin if spec is not None else None)


def load_located_cached(text: str, file: str | Path | None = None,
                        env: Mapping[str, str] = os.environ) -> LocatedYaml:
    """:func:`load_located` remembered in the user's cache, by the text's hash: for the project's own
    data files (the presets), which every start without a project file reads (#13: 2,000 lines and
    PyYAML's imports, ~25 ms of the first frame, against ~2 ms to read back). Never for a user's
    project file: whatever it holds (a key pasted by mistake) must not be copied to another file.
    A cache that is missing, damaged or not writable costs the parse, nothing else."""
    digest = hashlib.sha256(f"{_CACHE_FORMAT}\0{_pyyaml_stamp()}\0{text}".encode()).hexdigest()[:24]
    file_name = str(file) if file is not None else None
    path = cache_path(f"yaml-{digest}.marshal", env)
    if path is None:
        return load_located(text, file)
    try:
        data, lines = marshal.loads(path.read_bytes())
        if isinstance(lines, dict):
            return LocatedYaml(data, lines, file_name)
    except Exception:  # missing or damaged: parsed below and written again
        pass
    located = load_located(text, file)
    try:
        write_atomically(path, marshal.dumps((located.data, located.lines)))
    except (OSError, ValueError):  # unwritable, or a value marshal cannot hold (a YAML timestamp)
        pass
    return located
