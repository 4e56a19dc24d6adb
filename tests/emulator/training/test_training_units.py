"""Units of the training slice: image mapping, output layout, unpacking, log filters, CLI."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from jupyter_vertex.emulator.__main__ import main
from jupyter_vertex.emulator.core.errors import ApiError
from jupyter_vertex.emulator.core.filters import parse_terms
from jupyter_vertex.emulator.logging_v2 import logging_api
from jupyter_vertex.emulator.training.workerpool import Interpreters, output_dirs, unpack_packages


def test_prebuilt_training_images_map_to_the_training_python() -> None:
    pythons = Interpreters(
        "/usr/bin/python3",
        (("us-docker.pkg.dev/vertex-ai/training/tf-", "/opt/tf/python"), ("eu.gcr.io/", "/p")),
    )
    assert pythons.for_image("us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest") == (
        "/usr/bin/python3"
    )
    assert pythons.for_image("europe-docker.pkg.dev/vertex-ai/training/xgboost-cpu.1-1:latest") == (
        "/usr/bin/python3"
    )
    assert pythons.for_image("gcr.io/cloud-aiplatform/training/scikit-learn-cpu.0-23:latest") == (
        "/usr/bin/python3"
    )
    assert pythons.for_image("us-docker.pkg.dev/vertex-ai/training/tf-cpu.2-12:latest") == (
        "/opt/tf/python"  # the longest matching prefix wins over the prebuilt default
    )
    assert pythons.for_image("eu.gcr.io/mine/trainer:1") == "/p"
    assert pythons.for_image("us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3") is None
    assert pythons.for_image("docker.io/library/python:3.11") is None


def test_output_dirs_follow_vertex_layout() -> None:
    expected = {
        "AIP_MODEL_DIR": "gs://b/run/model/",
        "AIP_CHECKPOINT_DIR": "gs://b/run/checkpoints/",
        "AIP_TENSORBOARD_LOG_DIR": "gs://b/run/logs/",
    }
    assert output_dirs("gs://b/run") == expected
    assert output_dirs("gs://b/run/") == expected
    assert output_dirs("") == {}


def _archive(path: Path, files: dict[str, str]) -> Path:
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path, "w:gz") as archive:
            for name, text in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(text.encode())
                archive.addfile(info, io.BytesIO(text.encode()))
    else:
        with zipfile.ZipFile(path, "w") as archive:
            for name, text in files.items():
                archive.writestr(name, text)
    return path


def test_packages_are_unpacked_onto_the_python_path(tmp_path: Path) -> None:
    sdist = _archive(tmp_path / "a-1.tar.gz", {"a-1/src/a/__init__.py": "X = 1\n"})
    flat = _archive(tmp_path / "b-1.zip", {"b-1/b.py": "Y = 2\n"})
    wheel = _archive(tmp_path / "c-1-py3-none-any.whl", {"c/__init__.py": "Z = 3\n"})
    paths = unpack_packages([str(sdist), str(flat), str(wheel)], tmp_path / "out")
    assert paths == [
        str(tmp_path / "out" / "site"),
        str(tmp_path / "out" / "sdist0" / "a-1" / "src"),
        str(tmp_path / "out" / "sdist1" / "b-1"),
    ]
    assert (Path(paths[0]) / "c" / "__init__.py").read_text() == "Z = 3\n"
    evil = _archive(tmp_path / "evil.zip", {"../escape.py": ""})
    with pytest.raises(ValueError, match="outside the package"):
        unpack_packages([str(evil)], tmp_path / "out2")
    with pytest.raises(ValueError, match="not a wheel or a source distribution"):
        unpack_packages([str(tmp_path / "x.rpm")], tmp_path / "out3")


def test_log_filters() -> None:
    terms = parse_terms(
        'resource.type="ml_job" AND resource.labels.job_id="12"\n'
        'timestamp>="2026-01-01T00:00:00.000000+0000" severity>=WARNING'
    )
    assert terms == [
        ("resource.type", "=", "ml_job"),
        ("resource.labels.job_id", "=", "12"),
        ("timestamp", ">=", "2026-01-01T00:00:00.000000+0000"),
        ("severity", ">=", "WARNING"),
    ]
    entry = {
        "resource": {"type": "ml_job", "labels": {"job_id": "12"}},
        "timestamp": "2026-01-01T00:00:00.5Z",
        "severity": "ERROR",
        "textPayload": "boom",
    }
    assert logging_api.matches(entry, terms)
    assert not logging_api.matches(entry, [("severity", "<", "ERROR")])
    assert logging_api.matches(entry, [("textPayload", ":", "oo")])
    with pytest.raises(ApiError, match="cannot filter on 'jsonPayload.x'"):
        logging_api.matches(entry, [("jsonPayload.x", "=", "1")])
    with pytest.raises(ApiError, match="Invalid filter at position 0"):
        parse_terms("(a=1 OR b=2)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--image-python", "no-equals-sign"], "expected PREFIX=PATH"),
        (["--image-python", "img=relative/python"], "not an executable absolute path"),
        (["--training-python", "/no/such/python"], "not an executable absolute path"),
        (["--max-concurrent-jobs", "0"], "at least 1"),
    ],
)
def test_bad_training_options_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["--data-dir", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "connection.json").exists()
