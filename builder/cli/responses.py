"""The response files ``preview`` and ``infer`` take: which shape a file is, or why it is refused.

Accepted: a raw response (one JSON body as the API sent it; with ``--pages`` a JSON list of
bodies), the output of ``fetch --format json`` and a recorded sample (``presets/*/samples/*.json``,
also what ``fetch --save`` writes): both hold ``pages`` and the kind they were fetched from.
Refused, with what to do instead: the output of ``preview`` or ``infer``, a blueprint, a file
fetched from another kind, a fetch that got no page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.cli import UserError, jsonio

if TYPE_CHECKING:
    from builder.project.model import Resource

RAW = "a raw response"
RAW_PAGES = "a list of raw response pages (--pages)"
FETCH_OUTPUT = "the output of `fetch --format json`"
SAMPLE = "a recorded sample"

_SAVE_HINT = "`cursor-builder fetch -r RESOURCE --save FILE` writes one"


@dataclass
class ResponseFile:
    path: str
    shape: str
    pages: list[Any]
    page_params: list[dict[str, str]] | None = None
    kind: str | None = None  # the kind the file says it was fetched from
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        count = f"{len(self.pages)} page{'s' if len(self.pages) != 1 else ''}"
        return f"{self.path}: read as {self.shape} ({count})"


def read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: response file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a response file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None


def parse(path: str, data: bytes) -> Any:
    import json

    try:
        return jsonio.loads(data)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text: is it a JSON response?") from None
    except RecursionError:
        raise UserError(f"{path}: JSON nested too deep to read: is it a real response?") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits (Python's conversion limit)
        raise UserError(f"{path}: cannot read the JSON: {exc}") from None


def read_response(path: str, pages_flag: bool, kind: str | None = None) -> ResponseFile:
    """Read and recognise ``path``; ``kind`` is the resource's, to refuse another endpoint's file."""
    return recognise(path, parse(path, read_bytes(path)), pages_flag, kind)


def recognise(path: str, data: Any, pages_flag: bool, kind: str | None = None) -> ResponseFile:
    if isinstance(data, dict):
        refusal = _not_a_response(data)
        if refusal:
            raise UserError(f"{path}: {refusal}, not a response: give the API's response ({_SAVE_HINT})")
        saved = _saved_pages(path, data)
        if saved is not None:
            if kind and saved.kind and saved.kind != kind:
                raise UserError(f"{path}: {saved.shape} of {saved.kind}, not of {kind} (this resource's kind): "
                                f"fetch this resource's response ({_SAVE_HINT})")
            return saved
    if pages_flag:
        if not isinstance(data, list):
            raise UserError(f"{path}: --pages expects a JSON list of response bodies; this file is "
                            f"{_type(data)} (drop --pages for one response)")
        return ResponseFile(path, RAW_PAGES, data)
    return ResponseFile(path, RAW, [data])


def _not_a_response(data: dict[str, Any]) -> str | None:
    keys = set(data)
    if {"entities", "dropped", "fields"} <= keys:
        return "this is the output of `cursor-builder preview`"
    if {"diff", "problems", "inferred"} <= keys:
        return "this is the output of `cursor-builder infer --compare`"
    if "identifier" in keys and isinstance(data.get("schema"), dict):
        return "this is a Port blueprint"
    return None


def _saved_pages(path: str, data: dict[str, Any]) -> ResponseFile | None:
    pages = data.get("pages")
    if not isinstance(pages, list):
        return None
    if "exchanges" in data and "coverage" in data:
        if not pages:
            why = data.get("error") or "no page was fetched"
            raise UserError(f"{path}: {FETCH_OUTPUT} holds no page ({why}): fetch again, or use a raw response")
        resource = data.get("resource")
        return ResponseFile(path, FETCH_OUTPUT, pages, _page_params(data, len(pages)), _kind(data),
                            notes=[f"fetched from resource {resource}"] if resource else [])
    if "recorded" in data and ("kind" in data or "resource" in data):
        if not pages:
            raise UserError(f"{path}: {SAMPLE} with no page: record it again ({_SAVE_HINT})")
        return ResponseFile(path, SAMPLE, pages, _page_params(data, len(pages)), _kind(data))
    return None


def _kind(data: dict[str, Any]) -> str | None:
    kind = data.get("kind")
    return kind if isinstance(kind, str) and kind else None


def _page_params(data: dict[str, Any], pages: int) -> list[dict[str, str]] | None:
    params = data.get("page_params")
    if isinstance(params, list) and len(params) == pages and all(isinstance(p, dict) for p in params):
        return params or None
    return None


def _type(value: Any) -> str:
    from builder.engine.jsonpaths import json_type_phrase

    return json_type_phrase(value)


def check_found_records(response: ResponseFile, resource: Resource, records: int, dropped: list[Any]) -> None:
    """Refuse a file in which data_path found nothing on any page: it is not this resource's response."""
    if records or not response.pages:
        return
    failed = [drop for drop in dropped if getattr(drop, "stage", None) == "data_path"]
    if len(failed) < len(response.pages):
        return  # some page held an empty list: a real, empty answer
    first = response.pages[0]
    keys = ", ".join(list(first)[:8]) if isinstance(first, dict) else _type(first)
    raise UserError(f"{response.path}: read as {response.shape}, but data_path {resource.data_path or '.'} "
                    f"finds no records in it (it holds: {keys}): is it a response of {resource.kind}? "
                    f"({_SAVE_HINT})")
