"""YAML reading that remembers where each key came from, and writing that keeps key order.

Users edit project files by hand; an error must name the file, the line and the key
(``cursor-builder.yaml:14: portAppConfig.resources[2].selector.query: …``) rather than
show a traceback. PyYAML's node tree carries line marks, so we build plain Python values
from it ourselves and keep a side table of key path → line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


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


def _construct(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int],
               loader: Any) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise ProjectError("mapping keys must be plain scalars", line=key_node.start_mark.line + 1)
            child = path + (key,)
            lines[child] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, child, lines, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, path + (index,), lines, loader) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


# libyaml's parser is several times faster on the 2,000-line Cursor preset; both keep line marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load_located(text: str, file: str | Path | None = None) -> LocatedYaml:
    file_name = str(file) if file is not None else None
    try:
        loader = _Loader(text)
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
    return LocatedYaml(data, lines, file_name)


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Block style, key order kept, multi-line strings as literal blocks."""


def _str_representer(dumper: Any, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=4096)
