"""`preview --format json` streamed (plain data_path) prints exactly what the whole-document path prints.

Every case runs the CLI twice on the same file: once as a user would (streamed where it can be) and
once with streaming switched off; the bytes must be identical. ``--verbose`` says which path ran.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from builder.cli import main, stream

ROOT = Path(__file__).resolve().parents[2]
PRESET = str(ROOT / "presets" / "cursor" / "project.yaml")
SAMPLES = ROOT / "presets" / "cursor" / "samples"


def _events() -> list[dict[str, Any]]:
    pages = json.loads((SAMPLES / "usage-events.json").read_text())["pages"]
    return [event for page in pages for event in page["usageEvents"]]


def _preview(capsys: pytest.CaptureFixture[str], response: Path, resource: str = "usage-events",
             project: str = PRESET) -> tuple[int, bytes, str]:
    code = main(["preview", project, "-r", resource, "--response", str(response), "--format", "json", "-v"])
    captured = capsys.readouterr()
    return code, captured.out.encode(), captured.err


def _both(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, response: Path,
          **kwargs: Any) -> tuple[bytes, str]:
    code, streamed, said = _preview(capsys, response, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(stream, "plain_key", lambda resource: None)
        whole_code, whole, _ = _preview(capsys, response, **kwargs)
    assert code == whole_code == 0
    assert streamed == whole
    return streamed, said


@pytest.mark.parametrize("chunk, workers", [(7, 1), (7, 2), (stream.CHUNK, 1)],
                         ids=["chunks-in-process", "chunks-in-two-processes", "one-chunk"])
def test_streamed_equals_whole_document(tmp_path, capsys, monkeypatch, chunk, workers):
    monkeypatch.setattr(stream, "CHUNK", chunk)
    monkeypatch.setattr(stream, "_workers", lambda size: workers)
    events = _events()
    events[3]["timestamp"] = "soon"  # tonumber fails: field errors counted across chunks, at their offset
    events[9]["model"] = {"an": "object"}  # string + object fails: no identifier, the record is dropped
    response = tmp_path / "events.json"
    response.write_text(json.dumps({"totalUsageEventsCount": len(events), "usageEvents": events}))
    out, said = _both(capsys, monkeypatch, response)
    assert f"streamed {len(events):,} records of .usageEvents in chunks of {chunk:,} ({workers} process" in said
    document = json.loads(out)
    assert len(document["entities"]) + len(document["dropped"]) == len(events)
    assert (document["fields"]["title"]["errors"], document["fields"]["title"]["first_error_record"]) == (2, 3)
    assert document["fields"]["identifier"]["first_error_record"] == 9
    assert [(drop["stage"], drop["record"]) for drop in document["dropped"]] == [("identifier", 9)]


ODD_FILES: list[tuple[str, str, str]] = [
    ("repeated-key", '{"usageEvents": [%s], "usageEvents": [%s]}', "appears more than once"),
    ("top-level-list", '[{"usageEvents": [%s]}, %s]', "not a JSON object"),
    ("escaped-key", '{"usage\\u0045vents": [%s], "x": %s}', "escapes"),
    ("lone-surrogate", '{"usageEvents": [%s, {"model": "\\ud800"}], "x": %s}', "escapes"),
    ("big-integer", '{"usageEvents": [%s, {"big": 123456789012345678901234567890}], "x": %s}', "mapped whole"),
    ("nan", '{"usageEvents": [%s, {"n": NaN}], "x": %s}', "mapped whole"),
    ("not-an-object-item", '{"usageEvents": [%s, 5], "x": %s}', "not an object"),
    ("nested-key-only", '{"data": {"usageEvents": [%s]}, "x": %s}', "no records under .usageEvents"),
    ("key-holds-an-object", '{"usageEvents": %s, "x": %s}', "no records under .usageEvents"),
]


@pytest.mark.parametrize("template, reason", [(t, r) for _, t, r in ODD_FILES], ids=[n for n, _, _ in ODD_FILES])
def test_files_streaming_would_misread_are_mapped_whole(tmp_path, capsys, monkeypatch, template, reason):
    event = json.dumps(_events()[0])
    response = tmp_path / "odd.json"
    response.write_text(template % (event, event))
    code, streamed, said = _preview(capsys, response)
    with monkeypatch.context() as patch:
        patch.setattr(stream, "plain_key", lambda resource: None)
        whole_code, whole, _ = _preview(capsys, response)
    assert (code, streamed) == (whole_code, whole)
    assert "streamed" not in said.replace("not streamed", "")
    if "mapped whole" not in reason:
        assert reason in said


def test_an_entity_ocean_rejects_loses_the_whole_response_as_in_ocean(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(stream, "CHUNK", 5)
    project = Path(PRESET).read_text().replace("blueprint: '\"cursor_usage_event\"'",
                                               "blueprint: '\"cursor_usage_event\"'\n          icon: .tokenUsage", 1)
    path = tmp_path / "p.yaml"
    path.write_text(project)
    events = _events()[:12]
    events[11]["tokenUsage"] = {"inputTokens": 1}  # an object icon: Ocean's Entity model rejects it
    for event in events[:11]:
        event["tokenUsage"] = None
    response = tmp_path / "events.json"
    response.write_text(json.dumps({"usageEvents": events}))
    out, said = _both(capsys, monkeypatch, response, project=str(path))
    assert "Entity model rejects an entity, so Ocean loses the whole response" in said
    assert json.loads(out)["entities"] == []


def test_a_data_path_that_is_not_a_plain_key_says_so(tmp_path, capsys):
    response = tmp_path / "daily.json"
    response.write_text(json.dumps(json.loads((SAMPLES / "daily-usage-org.json").read_text())["pages"][0]))
    code, _, said = _preview(capsys, response, resource="daily-usage-org")
    assert code == 0 and "not streamed (data_path is not one plain key" in said


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "two-processes"])
def test_calculated_values_across_chunks_equal_the_whole_document(tmp_path, capsys, monkeypatch, workers):
    # each chunk computes its entities' calculation properties; their indexes count the whole preview's entities
    monkeypatch.setattr(stream, "CHUNK", 7)
    monkeypatch.setattr(stream, "_workers", lambda size: workers)
    page = json.loads((SAMPLES / "daily-usage.json").read_text())["pages"][0]
    response = tmp_path / "daily.json"
    response.write_text(json.dumps({**page, "data": page["data"] * 3}))
    out, said = _both(capsys, monkeypatch, response, resource="daily-usage")
    assert "chunks of 7" in said
    calculated = json.loads(out)["calculated"]
    assert [item["index"] for item in calculated] == list(range(len(page["data"]) * 3))


def test_records_orjson_cannot_write_reach_a_worker_pickled(tmp_path, capsys, monkeypatch):
    # a worker gets its records as orjson's bytes; nesting deeper than orjson writes goes pickled
    monkeypatch.setattr(stream, "CHUNK", 2)
    monkeypatch.setattr(stream, "_workers", lambda size: 2)
    events = _events()[:6]
    deep: Any = "bottom"
    for _ in range(300):
        deep = [deep]
    events[3]["serviceAccountName"] = deep
    response = tmp_path / "events.json"
    response.write_text(json.dumps({"usageEvents": events}))
    out, said = _both(capsys, monkeypatch, response)
    assert "streamed 6 records of .usageEvents in chunks of 2 (2 processes)" in said
    assert json.loads(out)["entities"][3]["properties"]["service_account"] == deep


@pytest.mark.parametrize("read_bytes", [1, 2, 3, 5, 8, 13])
def test_the_checks_see_a_key_or_an_escape_that_spans_two_reads(tmp_path, monkeypatch, read_bytes):
    cases = {
        b'{"usageEvents": [{"a": 1}], "x": 2}': None,
        b'{"usageEvents": [], "y": {"usageEvents": 1}}': '"usageEvents" appears more than once in the file',
        b'{"x": "usageEventsX", "usageEvents": []}': None,
        b'{"usageEvents": [{"m": "\\ud800"}]}': "the file has \\u escapes of ASCII characters or surrogates",
        b'{"usageEvents": [{"usage\\u0045": 1}]}': "the file has \\u escapes of ASCII characters or surrogates",
        b'{"usage": []}': '"usageEvents" is not in the file',
        b'  [{"usageEvents": []}]': "the response is not a JSON object",
    }
    monkeypatch.setattr(stream, "READ_BYTES", read_bytes)
    for number, (content, expected) in enumerate(cases.items()):
        path = tmp_path / f"{number}.json"
        path.write_bytes(content)
        assert stream.why_not_streamable(path, "usageEvents") == expected, content


def test_a_streamed_preview_into_a_file_or_a_closed_pipe(tmp_path, capsys):
    # stdout a file or a pipe: the spooled entities go by sendfile, the same bytes as by reads
    import subprocess
    import sys

    events = _events() * 8  # more than a pipe buffer of entities
    response = tmp_path / "events.json"
    response.write_text(json.dumps({"usageEvents": events}))
    argv = ["preview", PRESET, "-r", "usage-events", "--response", str(response), "--format", "json"]
    code, expected, _ = _preview(capsys, response)
    assert code == 0
    with open(tmp_path / "out.json", "wb") as out:
        done = subprocess.run([sys.executable, "-m", "builder", *argv, "-v"], cwd=ROOT, stdout=out,
                              stderr=subprocess.PIPE, timeout=300)
    assert done.returncode == 0 and b"streamed" in done.stderr
    assert (tmp_path / "out.json").read_bytes() == expected
    writer = subprocess.Popen([sys.executable, "-m", "builder", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert writer.stdout is not None
    writer.stdout.readline()
    writer.stdout.close()  # `| head -1`
    _, err = writer.communicate(timeout=300)
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode(errors="replace")
    assert writer.returncode in (0, 141), (writer.returncode, err)
