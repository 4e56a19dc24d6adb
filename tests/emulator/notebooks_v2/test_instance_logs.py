"""A Workbench instance's post-startup script output in Cloud Logging, read through Google's
own ``google.cloud.logging`` client (HTTP) from the real embedded Vertex, with instances
created through ``google.cloud.notebooks_v2``."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from google.cloud import notebooks_v2
from google.oauth2.credentials import Credentials

from jupyter_vertex.emulator.notebooks_v2.instance_logs import MAX_LINE_BYTES, copy_lines
from jupyter_vertex.emulator.testing import EmulatorProcess

from .workbench_helpers import ZONE, client_for, create, folder_of, wait_for

LOG_ID = "notebooks.googleapis.com%2Fpost_startup_script"


def logging_client(emu: EmulatorProcess, project: str) -> Any:
    from google.cloud import logging as cloud_logging

    return cloud_logging.Client(
        project=project,
        credentials=Credentials(token=emu.token),
        _use_grpc=False,
        client_options={"api_endpoint": emu.url},
    )


def script_outcome(client: notebooks_v2.NotebookServiceClient, name: str) -> str:
    def done() -> str | None:
        state = client.get_instance(name=name).health_info.get("post_startup_script")
        return None if state in (None, "running") else state

    outcome: str = wait_for(done)
    return outcome


@pytest.fixture
def project() -> str:
    return f"wbl-{uuid.uuid4().hex[:10]}"


def test_each_script_line_is_a_log_entry_of_the_instance(
    emulator: EmulatorProcess, project: str, tmp_path: Path
) -> None:
    script = tmp_path / "post.sh"
    script.write_text(
        'echo "installing in $PWD"\n'
        'echo "naïve ✓"\n'
        "echo\n"
        'echo "to stderr" >&2\n'
        "printf 'no newline at the end'\n"
    )
    notebooks = client_for(emulator)
    parent = f"projects/{project}/locations/{ZONE}"
    instance = create(
        notebooks, parent, "logged", metadata={"post-startup-script": str(script)}
    ).result(timeout=90)
    assert script_outcome(notebooks, instance.name) == "succeeded"
    home = folder_of(emulator, instance) / "home"
    client = logging_client(emulator, project)

    by_instance = f'resource.type="gce_instance" AND resource.labels.instance_id="{instance.id}"'
    entries = list(client.list_entries(filter_=by_instance))
    assert [(e.severity, e.log_name, e.payload) for e in entries] == [
        ("INFO", f"projects/{project}/logs/{LOG_ID}", f"installing in {home}"),
        ("INFO", f"projects/{project}/logs/{LOG_ID}", "naïve ✓"),
        ("INFO", f"projects/{project}/logs/{LOG_ID}", ""),
        ("INFO", f"projects/{project}/logs/{LOG_ID}", "to stderr"),
        ("INFO", f"projects/{project}/logs/{LOG_ID}", "no newline at the end"),
    ]
    for entry in entries:
        assert entry.resource.type == "gce_instance"
        assert entry.resource.labels == {
            "instance_id": instance.id,
            "project_id": project,
            "zone": ZONE,
        }
        assert entry.labels == {"compute.googleapis.com/resource_name": "logged"}
    assert len({e.insert_id for e in entries}) == 5
    assert [e.timestamp for e in entries] == sorted(e.timestamp for e in entries)
    # the file in the instance's folder keeps the same output
    log_file = folder_of(emulator, instance) / "post-startup-script.log"
    assert log_file.read_text() == (
        f"installing in {home}\nnaïve ✓\n\nto stderr\nno newline at the end"
    )

    # the usual filters: by log name, text, newest first; training logs are not mixed in
    by_log = f'logName="projects/{project}/logs/{LOG_ID}" AND textPayload:"stderr"'
    assert [e.payload for e in client.list_entries(filter_=by_log)] == ["to stderr"]
    newest = client.list_entries(filter_=by_instance, order_by="timestamp desc")
    assert [e.payload for e in newest][0] == "no newline at the end"
    assert list(client.list_entries(filter_='resource.type="ml_job"')) == []
    assert list(client.list_entries(filter_='resource.labels.job_id="123"')) == []
    other = logging_client(emulator, f"wbl-{uuid.uuid4().hex[:10]}")
    assert list(other.list_entries(filter_='resource.type="gce_instance"')) == []

    # Cloud Logging keeps them after the instance is deleted
    notebooks.delete_instance(name=instance.name).result(timeout=90)
    assert [e.payload for e in client.list_entries(filter_=by_instance)] == [
        e.payload for e in entries
    ]


def test_a_script_that_cannot_be_fetched_logs_why(
    emulator: EmulatorProcess, project: str, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "post.sh"
    notebooks = client_for(emulator)
    instance = create(
        notebooks,
        f"projects/{project}/locations/{ZONE}",
        "unfetched",
        metadata={"post-startup-script": str(missing)},
    ).result(timeout=90)
    try:
        outcome = script_outcome(notebooks, instance.name)
        assert outcome.startswith(f"failed: The post-startup script {missing} could not be")
        entries = list(
            logging_client(emulator, project).list_entries(
                filter_=f'resource.labels.instance_id="{instance.id}"'
            )
        )
        assert [(e.severity, e.payload) for e in entries] == [
            ("ERROR", outcome.removeprefix("failed: "))
        ]
    finally:
        notebooks.delete_instance(name=instance.name).result(timeout=90)


def test_lines_of_a_process_left_in_the_background_come_later(
    emulator: EmulatorProcess, project: str, tmp_path: Path
) -> None:
    marker = tmp_path / "go"
    script = tmp_path / "post.sh"
    # The background process writes once the test says so: after the script has ended.
    script.write_text(f"(while [ ! -e {marker} ]; do sleep 0.1; done; echo later) &\necho now\n")
    notebooks = client_for(emulator)
    instance = create(
        notebooks,
        f"projects/{project}/locations/{ZONE}",
        "background",
        metadata={"post-startup-script": str(script)},
    ).result(timeout=90)
    try:
        assert script_outcome(notebooks, instance.name) == "succeeded"
        client = logging_client(emulator, project)
        query = f'resource.labels.instance_id="{instance.id}"'
        assert [e.payload for e in client.list_entries(filter_=query)] == ["now"]
        marker.write_text("")
        assert wait_for(
            lambda: [e.payload for e in client.list_entries(filter_=query)] == ["now", "later"]
        )
    finally:
        marker.touch()
        notebooks.delete_instance(name=instance.name).result(timeout=90)


class _Lines:
    """Collects what copy_lines writes as log entries."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    async def write(self, text: str, severity: str = "INFO") -> None:
        self.lines.append((severity, text))


def test_copy_lines_splits_across_chunks_and_cuts_over_long_lines() -> None:
    async def run() -> tuple[bytes, list[tuple[str, str]]]:
        stream = asyncio.StreamReader()
        long = b"x" * (MAX_LINE_BYTES + 10)
        for part in (b"ab", b"c\r\nde", b"f\n\n", long[:70000], long[70000:] + b"\ntail"):
            stream.feed_data(part)
        stream.feed_eof()
        file = io.BytesIO()
        sink = _Lines()
        await copy_lines(stream, file, sink)  # type: ignore[arg-type]
        return file.getvalue(), sink.lines

    data, lines = asyncio.run(run())
    long_text = "x" * (MAX_LINE_BYTES + 10)
    assert data == b"abc\r\ndef\n\n" + long_text.encode() + b"\ntail"
    assert lines == [
        ("INFO", "abc"),
        ("INFO", "def"),
        ("INFO", ""),
        ("INFO", long_text[:MAX_LINE_BYTES]),
        ("INFO", long_text[MAX_LINE_BYTES:]),
        ("INFO", "tail"),
    ]
