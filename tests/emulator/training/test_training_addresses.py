"""A job that outlives a restart of the embedded Vertex on other ports still reaches it."""

from __future__ import annotations

import socket
from pathlib import Path

from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import Api
from ..training_helpers import create_job, job_body, logs, make_package, pool, wait_done, wait_for

# Says where its storage is, waits for a "go" file (written after the restart), then saves
# its model to AIP_MODEL_DIR with google-cloud-storage, as training code does.
SAVING = """
import os, sys, time
from google.cloud import storage
print(os.environ["STORAGE_EMULATOR_HOST"], flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
bucket, _, prefix = os.environ["AIP_MODEL_DIR"][len("gs://"):].partition("/")
storage.Client(project="p").bucket(bucket).blob(prefix + "model.txt").upload_from_string("fit")
print("saved", flush=True)
"""


def _free_port(avoid: int) -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port != avoid:
            return port


def _listening(url: str) -> bool:
    host, _, port = url.removeprefix("http://").rpartition(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


def test_a_job_saves_its_model_after_a_restart_on_other_ports(tmp_path: Path) -> None:
    go = tmp_path / "go"
    emu = EmulatorProcess(tmp_path / "data").start()
    try:
        api = Api(emu, "p-addresses")
        emu.storage_client("p").create_bucket("outputs")
        package = make_package(tmp_path / "pkg", SAVING)
        body = job_body(pool(package, args=[str(go)]))
        body["jobSpec"]["baseOutputDirectory"] = {"outputUriPrefix": "gs://outputs/run"}
        job = create_job(api, body)
        job_id = job["name"].rsplit("/", 1)[1]
        (first,) = wait_for(lambda: logs(api, job_id), "the job's first log line")
        replica_storage = first["textPayload"]
        old_port, old_storage = emu.port, emu.storage_port
        emu.stop()  # the replica keeps running
        emu.port, emu.storage_port = _free_port(old_port), _free_port(old_storage)
        emu.start()
        assert (emu.port, emu.storage_port) != (old_port, old_storage)
        go.touch()
        done = wait_done(api, job["name"])
        assert done["state"] == "JOB_STATE_SUCCEEDED", done
        assert [e["textPayload"] for e in logs(api, job_id)] == [replica_storage, "saved"]
        saved = emu.storage_client("p").bucket("outputs").blob("run/model/model.txt")
        assert saved.download_as_bytes() == b"fit"
        # the replica reached storage through its wrapper's relay, which ended with it
        assert replica_storage not in (emu.storage_url, f"http://127.0.0.1:{old_storage}")
        assert not _listening(replica_storage)
    finally:
        go.touch()
        emu.stop()
