"""Workbench instances (Notebooks API v2) in the embedded Vertex, through Google's own
``google.cloud.notebooks_v2`` client (REST): real Jupyter servers, their life and failures."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.api_core import exceptions
from google.cloud import notebooks_v2

from jupyter_vertex.emulator.testing import EmulatorProcess

from .workbench_helpers import ZONE, client_for, create, folder_of, wait_for

SCRIPT = 'echo "post-startup in $PWD"\necho "to stderr" >&2\n'


@pytest.fixture
def client(emulator: EmulatorProcess) -> notebooks_v2.NotebookServiceClient:
    return client_for(emulator)


@pytest.fixture
def parent() -> str:
    return f"projects/wb-{uuid.uuid4().hex[:10]}/locations/{ZONE}"


def status_code(url: str, **kwargs: Any) -> int | None:
    try:
        return httpx.get(url, timeout=5.0, **kwargs).status_code
    except httpx.ConnectError:
        return None


def port_of(instance: notebooks_v2.Instance) -> int:
    return int(instance.proxy_uri.split("/", 1)[0].rsplit(":", 1)[1])


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def api_message(error: exceptions.GoogleAPICallError) -> str:
    """The message as the embedded Vertex answered it (api_core prefixes method and URL)."""
    assert error.response is not None
    message: str = error.response.json()["error"]["message"]
    return message


@pytest.fixture
def script_uri(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> str:
    """A post-startup script in the embedded Vertex's Cloud Storage."""

    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.storage_url)
    bucket = emulator.storage_client("wb").create_bucket(f"scripts-{uuid.uuid4().hex[:8]}")
    bucket.blob("setup/post.sh").upload_from_string(SCRIPT)
    return f"gs://{bucket.name}/setup/post.sh"


def test_lifecycle_real_jupyter_server(
    client: notebooks_v2.NotebookServiceClient,
    parent: str,
    emulator: EmulatorProcess,
    script_uri: str,
) -> None:
    operation = create(
        client,
        parent,
        "lab-one",
        machine_type="n1-standard-4",
        accelerator_configs=[
            notebooks_v2.AcceleratorConfig(
                type_=notebooks_v2.AcceleratorConfig.AcceleratorType.NVIDIA_TESLA_T4,
                core_count=1,
            )
        ],
        metadata={"post-startup-script": script_uri},
        tags=["jupyter"],
    )
    assert operation.metadata.verb == "create"
    instance = operation.result(timeout=90)
    assert instance.state == notebooks_v2.State.ACTIVE
    assert instance.name.endswith(f"/locations/{ZONE}/instances/lab-one")
    assert instance.gce_setup.machine_type == "n1-standard-4"
    assert instance.gce_setup.boot_disk.disk_size_gb == 150
    assert instance.gce_setup.boot_disk.disk_type == notebooks_v2.DiskType.PD_BALANCED
    assert instance.gce_setup.data_disks[0].disk_size_gb == 100
    assert instance.gce_setup.vm_image.family == "workbench-instances"
    assert list(instance.gce_setup.tags) == ["jupyter"]
    assert instance.health_state == notebooks_v2.HealthState.HEALTHY
    host, _, query = instance.proxy_uri.partition("/lab?token=")
    assert host.startswith("127.0.0.1:") and len(query) == 48
    port = port_of(instance)
    token = query

    # its own Jupyter server: answers with its token, refuses without
    status = f"http://{host}/api/status"
    assert status_code(status, headers={"Authorization": f"token {token}"}) == 200
    assert status_code(status) == 403
    assert status_code(f"http://{instance.proxy_uri}") == 200  # /lab opens with the token
    assert [i.name for i in client.list_instances(parent=parent)] == [instance.name]

    # the post-startup script ran once, its output kept in the instance's folder
    folder = folder_of(emulator, instance)
    done = wait_for(
        lambda: (
            client.get_instance(name=instance.name).health_info.get("post_startup_script")
            not in (None, "running")
        )
    )
    assert done
    got = client.get_instance(name=instance.name)
    assert got.health_info["post_startup_script"] == "succeeded"
    log = (folder / "post-startup-script.log").read_text()
    assert log == f"post-startup in {folder / 'home'}\nto stderr\n"

    # stop: STOPPED, the process is gone
    stopped = client.stop_instance(request={"name": instance.name}).result(timeout=90)
    assert stopped.state == notebooks_v2.State.STOPPED
    assert stopped.proxy_uri == ""
    assert status_code(status, headers={"Authorization": f"token {token}"}) is None
    assert port_free(port)
    with pytest.raises(exceptions.BadRequest) as refused:
        client.stop_instance(request={"name": instance.name})
    assert api_message(refused.value) == (
        f"Instance {instance.name} is STOPPED; it can be stopped only when ACTIVE."
    )

    # start again: same address and token, the script does not run a second time
    started = client.start_instance(request={"name": instance.name}).result(timeout=90)
    assert started.state == notebooks_v2.State.ACTIVE
    assert started.proxy_uri == instance.proxy_uri
    assert status_code(status, headers={"Authorization": f"token {token}"}) == 200
    reset = client.reset_instance(request={"name": instance.name}).result(timeout=90)
    assert reset.state == notebooks_v2.State.ACTIVE
    assert (folder / "post-startup-script.log").read_text() == log
    assert client.get_instance(name=instance.name).health_info["post_startup_script"] == (
        "succeeded"
    )

    # delete: gone, port and folder freed
    client.delete_instance(name=instance.name).result(timeout=90)
    with pytest.raises(exceptions.NotFound) as missing:
        client.get_instance(name=instance.name)
    assert api_message(missing.value) == f"Instance {instance.name} not found."
    assert port_free(port)
    assert not folder.exists()
    assert list(client.list_instances(parent=parent)) == []


@pytest.mark.parametrize(
    ("instance_id", "gce", "message"),
    [
        (
            "Bad_Name",
            {},
            "Invalid instance_id: 'Bad_Name' must start with a lowercase letter, contain only "
            "lowercase letters, digits and hyphens, end with a letter or digit and be at most 63 "
            "characters long (^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$).",
        ),
        (
            "x" * 64,
            {},
            f"Invalid instance_id: {'x' * 64!r} must start with a lowercase letter, contain only "
            "lowercase letters, digits and hyphens, end with a letter or digit and be at most 63 "
            "characters long (^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$).",
        ),
        (
            "ends-",
            {},
            "Invalid instance_id: 'ends-' must start with a lowercase letter, contain only "
            "lowercase letters, digits and hyphens, end with a letter or digit and be at most 63 "
            "characters long (^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$).",
        ),
        (
            "small-boot",
            {"boot_disk": notebooks_v2.BootDisk(disk_size_gb=149)},
            "Invalid instance.gce_setup.boot_disk.disk_size_gb: 149 is out of range; it must be "
            "between 150 and 64000 (GB).",
        ),
        (
            "huge-boot",
            {"boot_disk": notebooks_v2.BootDisk(disk_size_gb=64001)},
            "Invalid instance.gce_setup.boot_disk.disk_size_gb: 64001 is out of range; it must be "
            "between 150 and 64000 (GB).",
        ),
        (
            "small-data",
            {"data_disks": [notebooks_v2.DataDisk(disk_size_gb=99)]},
            "Invalid instance.gce_setup.data_disks[0].disk_size_gb: 99 is out of range; it must "
            "be between 100 and 64000 (GB).",
        ),
        (
            "a100-on-n1",
            {
                "machine_type": "n1-standard-4",
                "accelerator_configs": [
                    notebooks_v2.AcceleratorConfig(
                        type_=notebooks_v2.AcceleratorConfig.AcceleratorType.NVIDIA_TESLA_A100,
                        core_count=1,
                    )
                ],
            },
            'Invalid instance.gce_setup: Accelerator "NVIDIA_TESLA_A100" is not supported for '
            'machine type "n1-standard-4".',
        ),
        (
            "gpu-on-e2",
            {
                "accelerator_configs": [
                    notebooks_v2.AcceleratorConfig(
                        type_=notebooks_v2.AcceleratorConfig.AcceleratorType.NVIDIA_TESLA_T4,
                        core_count=1,
                    )
                ],
            },
            'Invalid instance.gce_setup: Accelerator "NVIDIA_TESLA_T4" is not supported for '
            'machine type "e2-standard-4".',
        ),
        (
            "three-t4",
            {
                "machine_type": "n1-standard-8",
                "accelerator_configs": [
                    notebooks_v2.AcceleratorConfig(
                        type_=notebooks_v2.AcceleratorConfig.AcceleratorType.NVIDIA_TESLA_T4,
                        core_count=3,
                    )
                ],
            },
            "Invalid instance.gce_setup: Accelerator count 3 is not valid for accelerator "
            '"NVIDIA_TESLA_T4" on machine type "n1-standard-8" (valid: 1, 2, 4, 8).',
        ),
        (
            "a2-without-gpu",
            {"machine_type": "a2-highgpu-1g"},
            'Invalid instance.gce_setup: Machine type "a2-highgpu-1g" requires accelerator '
            '"NVIDIA_TESLA_A100" with accelerator_count 1.',
        ),
        (
            "no-such-machine",
            {"machine_type": "n1-standard-3"},
            'Invalid instance.gce_setup: Machine type "n1-standard-3" is not supported.',
        ),
        (
            "bad-script",
            {"metadata": {"post-startup-script": "setup.sh"}},
            "Invalid instance.gce_setup.metadata[\"post-startup-script\"]: 'setup.sh' must be a "
            "gs:// URI of an object, an https:// URL or an absolute path on this machine.",
        ),
    ],
)
def test_bad_create_requests_write_nothing(
    client: notebooks_v2.NotebookServiceClient,
    parent: str,
    instance_id: str,
    gce: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(exceptions.BadRequest) as refused:
        create(client, parent, instance_id, **gce)
    assert api_message(refused.value) == message
    assert refused.value.response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert list(client.list_instances(parent=parent)) == []


def test_region_instead_of_zone_and_duplicates(
    client: notebooks_v2.NotebookServiceClient, parent: str
) -> None:
    region_parent = parent.rsplit("/", 1)[0] + "/us-central1"
    with pytest.raises(exceptions.BadRequest) as refused:
        create(client, region_parent, "in-region")
    assert api_message(refused.value) == (
        "Invalid parent: 'us-central1' is not a zone (like us-central1-a); Workbench "
        "instances live in a zone."
    )
    first = create(client, parent, "twice").result(timeout=90)
    try:
        with pytest.raises(exceptions.Conflict) as conflict:
            create(client, parent, "twice")
        assert api_message(conflict.value) == f"Instance {first.name} already exists."
        assert conflict.value.response.json()["error"]["status"] == "ALREADY_EXISTS"
    finally:
        client.delete_instance(name=first.name).result(timeout=90)


def test_a_gpu_machine_with_its_gpu_is_accepted(
    client: notebooks_v2.NotebookServiceClient, parent: str
) -> None:
    gce = notebooks_v2.GceSetup(
        machine_type="g2-standard-4",
        accelerator_configs=[
            notebooks_v2.AcceleratorConfig(
                type_=notebooks_v2.AcceleratorConfig.AcceleratorType.NVIDIA_L4, core_count=1
            )
        ],
        boot_disk=notebooks_v2.BootDisk(disk_size_gb=64000, disk_type=notebooks_v2.DiskType.PD_SSD),
        data_disks=[notebooks_v2.DataDisk(disk_size_gb=100)],
        gpu_driver_config=notebooks_v2.GPUDriverConfig(enable_gpu_driver=True),
    )
    instance = client.create_instance(
        parent=parent,
        instance_id="g2",
        instance=notebooks_v2.Instance(gce_setup=gce, disable_proxy_access=True),
    ).result(timeout=90)
    try:
        assert instance.state == notebooks_v2.State.ACTIVE
        assert instance.disable_proxy_access is True
        assert instance.proxy_uri == ""  # no proxy asked for, none answered
        accelerator = instance.gce_setup.accelerator_configs[0]
        assert accelerator.type_ == notebooks_v2.AcceleratorConfig.AcceleratorType.NVIDIA_L4
        assert accelerator.core_count == 1
        assert instance.gce_setup.boot_disk.disk_size_gb == 64000
        assert instance.gce_setup.boot_disk.disk_type == notebooks_v2.DiskType.PD_SSD
        assert instance.gce_setup.gpu_driver_config.enable_gpu_driver is True
    finally:
        client.delete_instance(name=instance.name).result(timeout=90)


@pytest.fixture
def taken_port() -> Iterator[tuple[int, socket.socket]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        yield sock.getsockname()[1], sock
    finally:
        sock.close()


def test_port_taken_fails_with_the_reason_then_starts_once_free(
    tmp_path: Path, taken_port: tuple[int, socket.socket]
) -> None:
    port, sock = taken_port
    with EmulatorProcess(
        data_dir=tmp_path / "emu", extra_args=["--instance-ports", f"{port}-{port}"]
    ) as emu:
        client = client_for(emu)
        operation = create(client, f"projects/p/locations/{ZONE}", "busy")
        with pytest.raises(exceptions.FailedPrecondition) as failed:
            operation.result(timeout=90)
        reason = (
            f"No free port for the instance's Jupyter server in {port}-{port} "
            "(--instance-ports): every port there is in use."
        )
        name = operation.metadata.target
        assert failed.value.message == f"Instance {name} could not start: {reason}"
        instance = client.get_instance(name=name)
        assert instance.state == notebooks_v2.State.STOPPED  # v2 has no FAILED state
        assert instance.health_state == notebooks_v2.HealthState.UNHEALTHY
        assert instance.health_info["failure_reason"] == reason
        assert instance.proxy_uri == ""

        sock.close()
        started = client.start_instance(request={"name": name}).result(timeout=90)
        assert started.state == notebooks_v2.State.ACTIVE
        assert port_of(started) == port
        assert "failure_reason" not in started.health_info
        assert started.health_state == notebooks_v2.HealthState.HEALTHY


def test_a_server_that_cannot_start_fails_with_its_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken-python"
    broken.write_text("#!/bin/sh\necho 'no jupyter here'\nexit 3\n")
    broken.chmod(0o755)
    with EmulatorProcess(
        data_dir=tmp_path / "emu", extra_args=["--instance-python", str(broken)]
    ) as emu:
        client = client_for(emu)
        operation = create(client, f"projects/p/locations/{ZONE}", "broken")
        with pytest.raises(exceptions.FailedPrecondition) as failed:
            operation.result(timeout=90)
        name = operation.metadata.target
        assert failed.value.message == (
            f"Instance {name} could not start: The Jupyter server exited with status 3. "
            "Its last output:\nno jupyter here"
        )
        failed_instance = client.get_instance(name=name)
        assert failed_instance.state == notebooks_v2.State.STOPPED
        assert failed_instance.health_state == notebooks_v2.HealthState.UNHEALTHY


def test_instances_come_back_after_a_restart_and_leave_no_orphans(tmp_path: Path) -> None:
    script = tmp_path / "post.sh"
    script.write_text("echo ran\n")
    with EmulatorProcess(data_dir=tmp_path / "emu") as emu:
        client = client_for(emu)
        parent = f"projects/p/locations/{ZONE}"
        running = create(
            client, parent, "running", metadata={"post-startup-script": str(script)}
        ).result(timeout=90)
        stopped = create(client, parent, "stopped").result(timeout=90)
        client.stop_instance(request={"name": stopped.name}).result(timeout=90)
        folder = folder_of(emu, running)
        wait_for(lambda: (folder / "post-startup-script.log").exists())
        wait_for(
            lambda: (
                client.get_instance(name=running.name).health_info.get("post_startup_script")
                == "succeeded"
            )
        )

        emu.stop()  # its Jupyter servers stop with it
        assert port_free(port_of(running))
        emu.start()

        client = client_for(emu)
        back = wait_for(
            lambda: (
                (i := client.get_instance(name=running.name)).state == notebooks_v2.State.ACTIVE
                and i
            )
        )
        assert back.proxy_uri == running.proxy_uri
        token = running.proxy_uri.rsplit("=", 1)[1]
        status = f"http://127.0.0.1:{port_of(back)}/api/status"
        assert status_code(status, headers={"Authorization": f"token {token}"}) == 200
        assert client.get_instance(name=stopped.name).state == notebooks_v2.State.STOPPED
        assert (folder / "post-startup-script.log").read_text() == "ran\n"  # not run again

        emu.kill()  # even a SIGKILLed embedded Vertex leaves no Jupyter server behind
        wait_for(lambda: port_free(port_of(back)), timeout=30)


def test_a_server_that_dies_leaves_its_instance_stopped(
    client: notebooks_v2.NotebookServiceClient, parent: str, emulator: EmulatorProcess
) -> None:
    instance = create(client, parent, "crashes").result(timeout=90)
    try:
        with sqlite3.connect(Path(emulator.data_dir) / "vertex.sqlite3", timeout=10) as db:
            (raw,) = db.execute(
                "SELECT data FROM resources WHERE name = ?", (instance.name,)
            ).fetchone()
        pid = json.loads(raw)["_local"]["pid"]
        os.kill(pid, 9)
        gone = wait_for(
            lambda: (
                (i := client.get_instance(name=instance.name)).state == notebooks_v2.State.STOPPED
                and i
            )
        )
        assert gone.health_info["failure_reason"] == "The Jupyter server exited with status -9."
    finally:
        client.delete_instance(name=instance.name).result(timeout=90)
