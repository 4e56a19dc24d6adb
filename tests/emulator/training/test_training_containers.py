"""A container replica's ``docker run`` and how the runner finds its container again (no
engine needed: tests/sdk/test_sdk_containers.py runs them with a real one)."""

from __future__ import annotations

from pathlib import Path

from jupyter_vertex.emulator.training.containers import container_names, docker_steps
from jupyter_vertex.emulator.training.replica_files import write_steps
from jupyter_vertex.emulator.training.workerpool import Pool


def test_a_container_runs_on_the_host_network_labelled_with_its_job_and_task() -> None:
    pool = Pool(
        index=1,
        replicas=2,
        kind="container",
        image="local/trainer:1",
        command=["python", "train.py"],
        args=["--epochs", "3"],
    )
    assert docker_steps(pool, {"AIP_MODEL_DIR": "gs://b/model/"}, "42", "workerpool1-1") == [
        [
            "docker",
            "run",
            "--rm",
            "--init",
            "--name",
            "vertex-42-workerpool1-1",
            "--network",
            "host",
            "--label",
            "jupyter-vertex.job=42",
            "--label",
            "jupyter-vertex.task=workerpool1-1",
            "--env",
            "AIP_MODEL_DIR",
            "--entrypoint",
            "python",
            "local/trainer:1",
            "train.py",
            "--epochs",
            "3",
        ]
    ]


def test_the_runner_finds_the_containers_of_container_replicas_only(tmp_path: Path) -> None:
    container = Pool(index=0, replicas=1, kind="container", image="img", args=["x"])
    write_steps(tmp_path / "a", docker_steps(container, {}, "9", "workerpool0-0"), {}, None, "")
    write_steps(tmp_path / "b", [["python", "-m", "trainer"]], {}, None, "")
    folders = [tmp_path / "a", tmp_path / "b", tmp_path / "missing"]
    assert container_names(folders) == ["vertex-9-workerpool0-0"]
