"""``preview --format json`` on a large response in bounded memory: stream the records, map in chunks.

When data_path is one plain key (``.usageEvents``, ``.data``, ``.items``) and there is no
itemsToParse, the records are read one by one out of the file (ijson's C backend, yajl2_c), mapped
``CHUNK`` at a time (in two worker processes when the file is large and a core is free) and each chunk's entities are
written as soon as they exist, so memory holds a chunk, not the document.

They go to a spool file first, not to stdout: the whole response is one of Ocean's ``parse_items``
batches, and one item that is not an object, or one entity Ocean's Entity model rejects, loses
every entity of the batch. Only at the end is it known that none did; then the spool is copied out
(otherwise the caller maps the whole document, which says exactly what Ocean does).

Streaming is only tried where it cannot read the file differently from ``json.loads``: the file is
an object, the key appears once in it (a repeated key: ``json`` keeps the last), no key or string
spells a character of it with a ``\\u`` escape, and no (maybe lone) surrogate, which yajl reads as
'?'. What else yajl reads differently (an integer beyond 64 bits, an overflowing exponent, NaN)
makes it raise before anything reached stdout, and the whole document is mapped instead.
Anything that is not streamed is mapped whole, and ``--verbose`` says why.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, IO, Iterator

import orjson

from builder.cli import jsonio
from builder.engine import jqrt, mapping
from builder.engine.mapping import guard

if TYPE_CHECKING:
    from builder.project.model import Resource

CHUNK = 2_000  # records per mapping step: the memory bound, and big enough to keep jqnative's loops hot
READ_BYTES = 8 << 20
POOL_FROM_BYTES = 16 << 20  # below this the worker processes cost more than they save (bench/cli.py)
_PLAIN_KEY = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")
# \u escapes that could spell an ASCII key character, or a (maybe lone) surrogate, which yajl reads as '?'
_RISKY_ESCAPE = re.compile(rb"\\u(?:00[2-7]|[dD][89a-fA-F])")


def plain_key(resource: Resource) -> str | None:
    """The key of a data_path such as ``.usageEvents``; None when streaming does not apply."""
    found = _PLAIN_KEY.fullmatch((resource.data_path or "").strip())
    if not found or resource.items_to_parse:
        return None
    return found.group(1)


def why_not_streamable(path: Path, key: str) -> str | None:
    """None when ``path`` can be streamed at ``key`` with the values ``json.loads`` would give."""
    token = b'"' + key.encode() + b'"'
    tail = b""
    keep = len(token) - 1  # what of a token can end one read and go on in the next
    seen = 0
    first = True
    with path.open("rb") as file:
        while chunk := file.read(READ_BYTES):
            if first:
                start = chunk.lstrip()[:1]
                if start != b"{":
                    return "the response is not a JSON object"
                first = False
            # each read on its own, and the few bytes around its start (no copy of 8 MiB per read)
            seam = tail[-keep:] + chunk[:keep]
            seen += chunk.count(token) + seam.count(token)
            if seen > 1:
                return f"{token.decode()} appears more than once in the file"
            seam = tail[-6:] + chunk[:6]  # an escape is at most 6 bytes (\\u002X)
            if _RISKY_ESCAPE.search(seam) or (b"\\u" in chunk and _RISKY_ESCAPE.search(chunk)):
                return "the file has \\u escapes of ASCII characters or surrogates"
            tail = (tail + chunk)[-max(keep, 6):] if len(chunk) < max(keep, 6) else chunk[-max(keep, 6):]
    if seen != 1:
        return f"{token.decode()} is not in the file"
    return None


def record_chunks(path: Path, key: str) -> Iterator[list[Any]]:
    import ijson  # only here: the other commands never pay for it

    with path.open("rb") as file:
        chunk: list[Any] = []
        for record in ijson.items(file, f"{key}.item", use_float=True):
            chunk.append(record)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


@dataclass
class ChunkOut:
    """What one chunk gave, in a form that crosses a process boundary cheaply."""

    records: int
    entities: bytes = b""  # ",\n  <entity>" per entity
    count: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[tuple[Any, ...]] = field(default_factory=list)  # fields, then the selector
    passed: int = 0
    filtered: int = 0
    whole_batch_lost: str | None = None  # why the whole document must be mapped instead (Ocean loses the page…)
    warnings: list[str] = field(default_factory=list)  # the runtime guard's findings (values are jq's)
    calculated: list[dict[str, Any]] = field(default_factory=list)  # "index" counts this chunk's entities


#: ``calculate(entities)`` → the ``calculated`` items of those entities, "index" into them.
Calculate = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]

_job: tuple[dict[str, Any], str, bool, Calculate | None] | None = None


def _set_job(mappings: dict[str, Any], query: str, env_access: bool, calculate: Calculate | None = None) -> None:
    global _job
    _job = (mappings, query, env_access, calculate)


_COUNTS = ("ok", "nulls", "empties", "errors")
_FIRSTS = ("first_error_record", "first_error", "first_null_record")


def _map_chunk(offset_records: tuple[int, list[Any] | bytes]) -> ChunkOut:
    out = _mapped(offset_records)
    # The cyclic GC is off while a preview streams (stream_entities): what this chunk left in a
    # cycle is freed here, a pass over the young objects only (~1 ms).
    gc.collect(0)
    return out


def _mapped(offset_records: tuple[int, list[Any] | bytes]) -> ChunkOut:
    assert _job is not None
    offset, sent = offset_records
    raw = orjson.loads(sent) if sent.__class__ is bytes else sent  # see _packed
    out = ChunkOut(len(raw))
    if any(record.__class__ is not dict for record in raw):
        out.whole_batch_lost = "an item is not an object, so Ocean loses the whole response"
        return out
    try:
        # Ocean's data_path hands each record back from jq: integral numbers become ints
        records = [jqrt.normal_form(record) for record in raw]
    except (jqrt.NotNormal, RecursionError):
        out.whole_batch_lost = "a value only jq can tell how to read (an integer beyond 2**53…)"
        return out
    mappings, query, env_access, calculate = _job
    # The guard checks the first records of the preview and a random share of the rest: this chunk's
    # place decides, not how many records this process happened to map before it.
    mapping.compile_mapping(mappings, query, env_access).sampler.seen = offset
    if _shared is not None:
        _shared.adopt()
    result = mapping.map_items(records, mappings, query, env_access=env_access, clean=True)
    if _shared is not None:
        _shared.publish([found.expr for found in result.disagreements])
    for drop in result.dropped:
        if drop.stage == "entity":
            out.whole_batch_lost = "Ocean's Entity model rejects an entity, so Ocean loses the whole response"
            return out
        shifted = drop.to_json()
        if drop.record is not None:  # always set for a record's drop; a page's has none
            shifted["record"] = drop.record + offset
        out.dropped.append(shifted)
    out.entities = b"".join(b",\n  " + jsonio.dumps(entity) for entity in result.entities)
    out.count = len(result.entities)
    if calculate is not None:
        # here, on the entities in hand: reading them back from the spool cost more than the mapping
        out.calculated = calculate(result.entities)
    for status in (*result.fields.values(), result.selector):
        firsts = [getattr(status, name) for name in _FIRSTS]
        firsts = [None if value is None else value + offset if name.endswith("record") else value
                  for name, value in zip(_FIRSTS, firsts)]
        out.statuses.append((*(getattr(status, name) for name in _COUNTS), *firsts))
    out.passed, out.filtered = result.passed, result.filtered
    out.warnings = [dataclasses.replace(found, record=found.record + offset).message()
                    for found in result.disagreements]
    return out


@dataclass
class Streamed:
    records: int = 0
    entities: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, mapping.FieldStatus] = field(default_factory=dict)
    selector: mapping.FieldStatus | None = None
    workers: int = 1
    lost: str | None = None
    warnings: list[str] = field(default_factory=list)
    calculated: list[dict[str, Any]] = field(default_factory=list)

    def add(self, chunk: ChunkOut) -> None:
        self.records += chunk.records
        self.warnings.extend(chunk.warnings)
        for item in chunk.calculated:  # the chunk's entity index → the preview's
            item["index"] += self.entities
        self.calculated.extend(chunk.calculated)
        self.entities += chunk.count
        self.dropped.extend(chunk.dropped)
        statuses = [*self.fields.values(), self.selector]
        for status, numbers in zip(statuses, chunk.statuses):
            assert status is not None
            for name, value in zip(_COUNTS, numbers):
                setattr(status, name, getattr(status, name) + value)
            if status.first_error_record is None:
                status.first_error_record, status.first_error = numbers[4], numbers[5]
            if status.first_null_record is None:
                status.first_null_record = numbers[6]


def stream_entities(path: Path, resource: Resource, key: str, spool: IO[bytes], env_access: bool = True,
                    calculate: Calculate | None = None) -> Streamed:
    """Map the records under ``key`` chunk by chunk; each chunk's entities go to ``spool`` at once.

    ``calculate``: what ``calculated`` lists (None: nothing), run on each chunk's entities.
    ``Streamed.lost`` says when Ocean would lose the whole response (the caller maps it whole)."""
    compiled = mapping.compile_mapping(resource.mappings, resource.query, env_access)
    done = Streamed()
    done.fields = {leaf.name: mapping.FieldStatus(leaf.name, leaf.expr, leaf.compile_error) for leaf in compiled.leaves}
    done.selector = mapping.FieldStatus("selector.query", resource.query, compiled.selector_error)
    _set_job(resource.mappings, resource.query, env_access, calculate)
    jobs = _offsets(record_chunks(path, key))
    workers = _workers(path.stat().st_size)
    # Without the cyclic GC (the workers fork without it too): hundreds of thousands of records
    # pass through and nearly none is in a cycle, yet its passes cost ~8 % of the CPU (200,000
    # events, /usr/bin/time: 7.3-7.8 s with it, 6.6-6.7 s without); each chunk ends with a young pass.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if workers > 1:
            global _shared
            # fork: the workers inherit the compiled mapping and every import; results come back in order
            with _SharedDistrust() as _shared, \
                    multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start) as pool:
                done.workers = workers
                try:
                    _drain(pool.imap(_map_chunk, _packed(jobs)), done, spool)
                finally:
                    _shared = None
        else:
            _drain(map(_map_chunk, jobs), done, spool)
    finally:
        if collecting:
            gc.enable()
    return done


class _SharedDistrust:
    """The runtime guard's findings, shared by the worker processes of one preview: a field one
    worker finds wrong runs in jq in every worker from the next chunk it starts (in one process
    that is what ``guard.distrust`` does). One program text a line, appended to a file all of them
    opened before the fork; each reads what it has not read yet (an fstat per chunk)."""

    def __init__(self) -> None:
        import fcntl  # POSIX, as the fork the workers start with

        self.file = tempfile.TemporaryFile(prefix="cursor-builder-guard-")
        fd = self.file.fileno()
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
        self.read = 0  # per process: the fork copies it

    def __enter__(self) -> _SharedDistrust:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def publish(self, texts: list[str]) -> None:
        if texts:  # one write of whole lines, O_APPEND: never interleaved with another worker's
            os.write(self.file.fileno(), b"".join(orjson.dumps(text) + b"\n" for text in texts))

    def adopt(self) -> None:
        size = os.fstat(self.file.fileno()).st_size
        if size > self.read:
            found = os.pread(self.file.fileno(), size - self.read, self.read)
            self.read = size
            for line in found.splitlines():
                guard.distrust(orjson.loads(line))


_shared: _SharedDistrust | None = None


def _worker_start() -> None:
    """A worker's own random draw of the records the guard checks (the fork copied the parent's)."""
    assert _job is not None
    mapping.compile_mapping(*_job[:3]).sampler = guard.Sampler()


def _workers(size: int) -> int:
    """Two worker processes for a large file, when a second core is free: with the other core busy
    (load average ~8 on this 2-vCPU machine) they were measured 15 % slower than one process, as
    the records then cost a trip between processes for no parallel gain (bench/cli.py, README)."""
    cpus = os.cpu_count() or 1
    if size < POOL_FROM_BYTES or cpus < 2:
        return 1
    try:
        busy = os.getloadavg()[0]
    except OSError:
        return 1
    return 2 if busy <= cpus - 1 else 1


def _packed(jobs: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any] | bytes]]:
    """The records a worker gets, as orjson's bytes: half the CPU of pickling the dicts both ways
    (bench/cli.py, 200,000 events: 1.06 s against 2.08 s). orjson gives back the very values it
    wrote (the shortest float text that reads back the same float; integers exact), and what it
    cannot write (an integer beyond 64 bits, a lone surrogate, deep nesting) goes pickled."""
    for offset, records in jobs:
        try:
            yield offset, orjson.dumps(records)
        except orjson.JSONEncodeError:
            yield offset, records


def _offsets(chunks: Iterator[list[Any]]) -> Iterator[tuple[int, list[Any]]]:
    offset = 0
    for chunk in chunks:
        yield offset, chunk
        offset += len(chunk)


def _drain(outs: Iterator[ChunkOut], done: Streamed, spool: IO[bytes]) -> None:
    for out in outs:
        if out.whole_batch_lost:
            done.lost = out.whole_batch_lost
            return
        spool.write(out.entities)
        done.add(out)


def write_streamed(out: IO[bytes], done: Streamed, spool: IO[bytes]) -> None:
    """The same document as ``write_result`` for the whole-document path, entities from ``spool``."""
    out.write(b'{"entities": [')
    spool.seek(0)
    first = spool.read(2)  # the first entity's ",\n" becomes "\n"
    if first:
        out.write(b"\n")
        _copy_rest(spool, out)
        out.write(b"\n")
    fields = {name: status.to_json() for name, status in done.fields.items()}
    _write_tail(out, done.dropped, fields, done.calculated)


def _copy_rest(spool: IO[bytes], out: IO[bytes]) -> None:
    """The spool from where it stands onto ``out``: in the kernel (sendfile) when ``out`` is a file
    or a pipe, with no trip of the ~150 MB of 200,000 entities through Python; else by reads."""
    position = spool.tell()
    try:
        out.flush()
        target = out.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation: a test's captured stdout…
        target = None
    if target is not None:
        end = os.fstat(spool.fileno()).st_size
        try:
            while position < end:
                sent = os.sendfile(target, spool.fileno(), position, end - position)
                if not sent:
                    break
                position += sent
        except BrokenPipeError:
            raise
        except OSError:  # a target sendfile cannot write to: what is left goes by reads
            pass
    spool.seek(position)
    shutil.copyfileobj(spool, out, 1 << 20)


def write_result(out: IO[bytes], result: mapping.MappingResult,
                 calculated: list[dict[str, Any]] | None = None) -> None:
    out.write(b'{"entities": [')
    if not jsonio.write_array_items(out, result.entities, True):
        out.write(b"\n")
    fields = {name: status.to_json() for name, status in result.fields.items()}
    _write_tail(out, [drop.to_json() for drop in result.dropped], fields, calculated)


def _write_tail(out: IO[bytes], dropped: list[dict[str, Any]], fields: dict[str, Any],
                calculated: list[dict[str, Any]] | None = None) -> None:
    out.write(b'],\n"dropped": [')
    if not jsonio.write_array_items(out, dropped, True):
        out.write(b"\n")
    out.write(b'],\n"fields": ' + jsonio.dumps(fields, indent=True))
    if calculated:  # Port's calculation properties, apart: the entities stay exactly Ocean's payloads
        out.write(b',\n"calculated": ' + jsonio.dumps(calculated, indent=True))
    out.write(b"\n}\n")


def spool_file() -> IO[bytes]:
    return tempfile.TemporaryFile(prefix="cursor-builder-preview-")
