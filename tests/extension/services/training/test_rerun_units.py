"""Re-run rules without a server: which jobs may be re-run (and the words of a refusal), and
the TrainingCreate a re-run submits."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_vertex.errors import FailedPrecondition
from jupyter_vertex.services.training.provenance import model_labels
from jupyter_vertex.services.training.rerun import check_rerunnable, rerun_body

SERVING = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"


def _job(**overrides: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "id": "42",
        "kind": "trainingPipeline",
        "displayName": "Digits Run",
        "labels": {
            "team": "ml",
            "git-commit": "abc1234",
            "git-branch": "main",
            "git-dirty": "false",
            "rerun-of": "7",
        },
        "git": {"commit": "abc1234", "branch": "main", "dirty": False},
        "source": {"path": "repo/train.py", "kind": "script"},
        "spec": {
            "imageUri": "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest",
            "machineType": "a2-highgpu-1g",
            "acceleratorType": "NVIDIA_TESLA_A100",
            "acceleratorCount": 1,
            "replicaCount": 3,
            "args": ["--seed", "7", ""],
            "env": {"MODE": "full"},
        },
        "model": {
            "displayName": "digits",
            "servingContainerImageUri": SERVING,
            "parentModel": "projects/p/locations/l/models/9",
            "uploadedModel": "projects/p/locations/l/models/9@3",
        },
    }
    job.update(overrides)
    return job


def test_the_rerun_trains_like_the_job() -> None:
    assert rerun_body(_job()) == {
        "path": "repo/train.py",
        "displayName": "Digits Run-rerun",
        "imageUri": "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest",
        "machineType": "a2-highgpu-1g",
        "replicaCount": 3,
        "args": ["--seed", "7", ""],
        "env": {"MODE": "full"},
        # git-* come from the commit again; rerun-of names this job, not its ancestor
        "labels": {"team": "ml", "rerun-of": "42"},
        "acceleratorType": "NVIDIA_TESLA_A100",
        "acceleratorCount": 1,
        "registerModel": {
            "servingContainerImageUri": SERVING,
            "modelDisplayName": "digits",
            "parentModel": "projects/p/locations/l/models/9",
        },
    }
    custom = rerun_body(_job(kind="customJob", model=None, displayName="x" * 128))
    assert "registerModel" not in custom
    assert custom["displayName"] == "x" * 128  # Vertex's limit


def test_a_clean_commit_is_rerunnable() -> None:
    git = check_rerunnable(_job())
    assert (git.commit, git.branch, git.dirty) == ("abc1234", "main", False)
    assert git.labels() == {"git-commit": "abc1234", "git-branch": "main", "git-dirty": "false"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"git": {"commit": "abc1234", "branch": None, "dirty": True}},
            'Job "Digits Run" was trained with uncommitted changes: commit abc1234 does not '
            "hold what it ran.",
        ),
        (
            {"git": None},
            'Job "Digits Run" has no git commit: its file was not in a git repository with a '
            "commit when it was trained.",
        ),
        (
            {"source": None},
            'Job "Digits Run" was not trained from a file of this Jupyter server, so there is '
            "no commit to re-run it from.",
        ),
    ],
)
def test_refusals_say_why(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(FailedPrecondition) as raised:
        check_rerunnable(_job(**overrides))
    assert raised.value.message == message
    assert raised.value.hint


def test_model_labels_name_the_job_as_a_label_value() -> None:
    labels = {"team": "ml", "git-commit": "abc1234", "git-dirty": "true"}
    assert model_labels(labels, "Digits Run (v2)") == {
        "training-job": "digits-run--v2-",
        "git-commit": "abc1234",
        "git-dirty": "true",
    }
    assert model_labels({}, "x" * 100) == {"training-job": "x" * 63}
