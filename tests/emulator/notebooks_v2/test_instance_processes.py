"""A Workbench instance's Jupyter server is recorded as a process group of the embedded
Vertex (``D/processes``), ends when the embedded Vertex is SIGKILLed, and its record is gone
after the next start (which records the server it starts instead)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from google.cloud import notebooks_v2

from jupyter_vertex.emulator.testing import EmulatorProcess

from .workbench_helpers import ZONE, client_for, create, wait_for


def _server_pid(emu: EmulatorProcess, name: str) -> int:
    with sqlite3.connect(Path(emu.data_dir) / "vertex.sqlite3", timeout=10) as db:
        (raw,) = db.execute("SELECT data FROM resources WHERE name = ?", (name,)).fetchone()
    pid: int = json.loads(raw)["_local"]["pid"]
    return pid


def _records(emu: EmulatorProcess) -> dict[int, dict[str, object]]:
    """The process records of instance servers (not the warm model server's)."""
    found = {}
    for path in (Path(emu.data_dir) / "processes").glob("*.json"):
        record = json.loads(path.read_text())
        if record["kind"] == "instance-server":
            found[int(record["pid"])] = record
    return found


def test_an_instance_server_is_recorded_and_ends_with_a_killed_emulator(tmp_path: Path) -> None:
    with EmulatorProcess(data_dir=tmp_path / "emu") as emu:
        client = client_for(emu)
        instance = create(client, f"projects/p/locations/{ZONE}", "rec").result(timeout=90)
        pid = _server_pid(emu, instance.name)
        record = _records(emu)[pid]
        assert (record["kind"], record["owner"], record["pgid"]) == (
            "instance-server",
            instance.name,
            pid,
        )

        emu.kill()
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=10)
        emu.start()
        client = client_for(emu)
        wait_for(lambda: client.get_instance(name=instance.name).state == notebooks_v2.State.ACTIVE)
        again = _server_pid(emu, instance.name)
        assert again != pid and set(_records(emu)) == {again}
