"""Training from a file through the extension's HTTP API, against the real embedded Vertex.

Jobs run for real: the embedded Vertex unpacks the staged package and runs it as local
processes. Every wait polls with a deadline.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.services.training.packaging import PACKAGE_FILE

from ..git_helpers import GIT, git

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SKLEARN_SERVING = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
FINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED", "PARTIALLY_SUCCEEDED"}
LIMIT = 64 * 1024


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return {**emulated, "training_package_max_bytes": LIMIT}


def _storage(emulator: Any, project: str) -> Any:
    from google.api_core.client_options import ClientOptions
    from google.cloud import storage  # type: ignore[attr-defined]
    from google.oauth2.credentials import Credentials

    return storage.Client(
        project=project,
        credentials=Credentials(token=emulator.token),
        client_options=ClientOptions(api_endpoint=emulator.storage_url),
    )


def _staged(emulator: Any, project: str) -> list[str]:
    """Objects in the project's staging bucket (none if the bucket does not exist)."""
    client = _storage(emulator, project)
    bucket = client.lookup_bucket(f"{project}-vertex-staging-us-central1")
    return [] if bucket is None else sorted(b.name for b in client.list_blobs(bucket))


def _download(emulator: Any, project: str, uri: str, target: Path) -> Path:
    bucket, _, name = uri[len("gs://") :].partition("/")
    _storage(emulator, project).bucket(bucket).blob(name).download_to_filename(str(target))
    return target


async def _wait(api: Any, job: dict[str, Any], timeout: float = 240.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, current = await api("GET", "jobs", job["kind"], job["id"])
        assert status == 200, current
        if current["state"] in FINAL:
            return current
        assert time.monotonic() < deadline, f"job still {current['state']}: {current}"
        await asyncio.sleep(0.5)


async def _all_logs(api: Any, job: dict[str, Any]) -> tuple[list[str], str | None]:
    status, page = await api("GET", "jobs", job["kind"], job["id"], "logs")
    assert status == 200, page
    return [e["message"] for e in page["entries"]], page["cursor"]


# -- bad input: 4xx, {message, reason, hint}, nothing created ----------------------------


@pytest.fixture
def root(jp_root_dir: Path) -> Path:
    (jp_root_dir / "proj").mkdir()
    (jp_root_dir / "proj" / "train.py").write_text("print('hi')\n")
    (jp_root_dir / "proj" / "notes.txt").write_text("notes\n")
    return jp_root_dir


@pytest.mark.parametrize(
    ("body", "status", "reason", "message"),
    [
        (
            {"path": "../outside.py"},
            400,
            "INVALID_ARGUMENT",
            "Field 'path': '../outside.py' must be a path relative to the Jupyter root, "
            "without '..'.",
        ),
        (
            {"path": "proj/link.py"},
            400,
            "INVALID_ARGUMENT",
            "Field 'path': 'proj/link.py' leads outside the Jupyter root (through a symbolic "
            "link).",
        ),
        (
            {"path": "proj/missing.py"},
            404,
            "NOT_FOUND",
            "Field 'path': no file 'proj/missing.py' in the Jupyter root.",
        ),
        (
            {"path": "proj/notes.txt"},
            400,
            "INVALID_ARGUMENT",
            "Field 'path': 'proj/notes.txt' is neither a Python script (.py) nor a notebook "
            "(.ipynb).",
        ),
        (
            {"path": "proj/train.py", "env": {"1BAD": "x"}},
            400,
            "INVALID_ARGUMENT",
            "Field 'env' has an invalid key: '1BAD'.",
        ),
        (
            {"path": "proj/train.py", "env": {"BAD-NAME": "x"}},
            400,
            "INVALID_ARGUMENT",
            "Field 'env' has an invalid key: 'BAD-NAME'.",
        ),
        (
            {
                "path": "proj/train.py",
                "machineType": "n1-standard-4",
                "acceleratorType": "NVIDIA_TESLA_A100",
                "acceleratorCount": 1,
            },
            400,
            "INVALID_ARGUMENT",
            "Field 'acceleratorType': Accelerator \"NVIDIA_TESLA_A100\" is not supported for "
            'machine type "n1-standard-4".',
        ),
        (
            {
                "path": "proj/train.py",
                "machineType": "a2-highgpu-4g",
                "acceleratorType": "NVIDIA_TESLA_A100",
                "acceleratorCount": 2,
            },
            400,
            "INVALID_ARGUMENT",
            "Field 'acceleratorCount': Accelerator count 2 is not valid for accelerator "
            '"NVIDIA_TESLA_A100" on machine type "a2-highgpu-4g" (valid: 4).',
        ),
        (
            {"path": "proj/train.py", "acceleratorType": "NVIDIA_TESLA_T4"},
            400,
            "INVALID_ARGUMENT",
            "Field 'acceleratorType': Both `accelerator_type` and `accelerator_count` should "
            "be specified or none.",
        ),
        (
            {"path": "proj/train.py", "labels": {"Team": "ml"}},
            400,
            "INVALID_ARGUMENT",
            "Field 'labels' has an invalid key: 'Team'.",
        ),
        (
            {"path": "proj/train.py", "args": ["ok", 3]},
            400,
            "INVALID_ARGUMENT",
            "Field 'args.1' must be of type string.",
        ),
        (
            {"path": "proj/big/train.py"},
            400,
            "INVALID_ARGUMENT",
            "Field 'path': the folder proj/big holds 80.0 KiB to package, over the limit of "
            "64.0 KiB; the biggest files: weights.bin (80.0 KiB), train.py (12 bytes).",
        ),
    ],
)
async def test_bad_input_creates_nothing(
    api: Any,
    root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    emulator: Any,
    project_id: str,
    body: dict[str, Any],
    status: int,
    reason: str,
    message: str,
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.py"
    outside.write_text("print('secret')\n")
    (root / "proj" / "link.py").symlink_to(outside)
    (root / "proj" / "big").mkdir()
    (root / "proj" / "big" / "train.py").write_text("print('hi')\n")
    (root / "proj" / "big" / "weights.bin").write_bytes(b"w" * (80 * 1024))

    got_status, error = await api("POST", "jobs", body=body)
    assert (got_status, error["reason"], error["message"]) == (status, reason, message)
    assert set(error) == {"message", "reason", "hint"}
    # Nothing was created: no job of either kind, nothing staged.
    assert await api("GET", "jobs") == (200, {"jobs": [], "nextPageToken": None})
    assert await asyncio.to_thread(_staged, emulator, project_id) == []


async def test_job_routes_refuse_bad_ids(api: Any) -> None:
    status, error = await api("GET", "jobs", "customJob", "abc")
    assert (status, error["message"]) == (400, "'abc' is not a valid jobId.")
    status, error = await api("GET", "jobs", "batchJob", "1")
    assert status == 400 and error["reason"] == "INVALID_ARGUMENT"
    status, error = await api("GET", "jobs", "customJob", "123")
    assert (status, error["reason"]) == (404, "NOT_FOUND")
    status, error = await api("GET", "jobs", params={"pageToken": "garbage"})
    assert (status, error["message"]) == (
        400,
        "Parameter 'pageToken' is not one this server issued.",
    )


# -- real runs -----------------------------------------------------------------------------


async def test_digits_trains_and_registers_a_model_that_predicts(
    api: Any, jp_root_dir: Path, emulator: Any, project_id: str, tmp_path: Path
) -> None:
    folder = jp_root_dir / "digits"
    folder.mkdir()
    shutil.copy(EXAMPLES / "train_digits.py", folder / "train_digits.py")
    status, job = await api(
        "POST",
        "jobs",
        body={
            "path": "digits/train_digits.py",
            "displayName": "digits-training",
            "framework": "scikit-learn",
            "args": ["--max-iter", "300", "--seed", "7"],
            "labels": {"team": "ml"},
            "registerModel": {
                "servingContainerImageUri": SKLEARN_SERVING,
                "modelDisplayName": "digits-model",
            },
        },
    )
    assert status == 201, job
    assert job["kind"] == "trainingPipeline"
    assert job["displayName"] == "digits-training"
    assert job["labels"] == {"team": "ml"}  # not in a git repository: no git labels
    assert job["git"] is None
    assert job["source"] == {"path": "digits/train_digits.py", "kind": "script"}
    assert job["spec"]["imageUri"] == "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest"
    assert job["spec"]["args"] == ["--max-iter", "300", "--seed", "7"]
    assert job["spec"]["packageUris"][0].endswith(f"/source/digits/train_digits.py/{PACKAGE_FILE}")
    assert job["model"] == {
        "displayName": "digits-model",
        "servingContainerImageUri": SKLEARN_SERVING,
        "parentModel": None,
        "uploadedModel": None,
    }

    done = await _wait(api, job)
    assert done["state"] == "SUCCEEDED", done
    uploaded = done["model"]["uploadedModel"]
    assert uploaded, done
    model_id = uploaded.rsplit("/", 1)[1].split("@")[0]
    status, model = await api("GET", "models", model_id)
    assert status == 200, model
    assert (model["displayName"], model["containerImageUri"], model["framework"]) == (
        "digits-model",
        SKLEARN_SERVING,
        "sklearn",
    )
    assert model["artifactUri"] == done["spec"]["baseOutputDirectory"].rstrip("/") + "/model/"

    # The artifacts load and predict exactly like the same model trained here.
    import joblib
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    artifact = await asyncio.to_thread(
        _download,
        emulator,
        project_id,
        model["artifactUri"].rstrip("/") + "/model.joblib",
        tmp_path / "model.joblib",
    )
    remote = joblib.load(artifact)
    X, y = load_digits(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=7, stratify=y)
    local = LogisticRegression(max_iter=300).fit(X_train, y_train)
    assert (remote.predict(X) == local.predict(X)).all()
    assert (remote.coef_ == local.coef_).all()

    # Logs through Cloud Logging, and the SDK code for it.
    lines, cursor = await _all_logs(api, done)
    assert any(line.startswith("test accuracy: ") for line in lines), lines
    status, code = await api("GET", "jobs", "trainingPipeline", done["id"], "code")
    assert status == 200
    assert "job = aiplatform.CustomTrainingJob(" in code["code"]
    assert "    script_path='digits/train_digits.py',\n" in code["code"]
    compile(code["code"], "<sdk>", "exec")


ECHO = "import json, sys\nprint('ARGV ' + json.dumps(sys.argv[1:]))\n"


@pytest.mark.skipif(GIT is None, reason="git is not installed")
async def test_args_pass_literally_and_git_labels(api: Any, jp_root_dir: Path) -> None:
    repo = jp_root_dir / "repo"
    repo.mkdir()
    (repo / "echo.py").write_text(ECHO)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "echo")
    sha = git(repo, "rev-parse", "--short", "HEAD")
    args = ["$(touch pwned)", "; rm -rf / ;", "a b", "`id`", "*", "'\"", "|", ">x", ""]

    status, clean = await api(
        "POST", "jobs", body={"path": "repo/echo.py", "args": args, "env": {"MY_VAR": "1"}}
    )
    assert status == 201, clean
    assert clean["kind"] == "customJob"
    assert clean["git"] == {"commit": sha, "branch": "main", "dirty": False}
    assert clean["labels"] == {"git-commit": sha, "git-branch": "main", "git-dirty": "false"}

    (repo / "echo.py").write_text(ECHO + "# changed\n")
    status, dirty = await api("POST", "jobs", body={"path": "repo/echo.py"})
    assert status == 201, dirty
    assert dirty["git"] == {"commit": sha, "branch": "main", "dirty": True}

    done = await _wait(api, clean)
    assert done["state"] == "SUCCEEDED", done
    assert done["git"] == clean["git"]  # the detail shows them
    lines, cursor = await _all_logs(api, done)
    assert "ARGV " + json.dumps(args) in lines, lines
    assert not (repo / "pwned").exists()
    # Following: with the cursor, only newer lines (none).
    status, newer = await api(
        "GET", "jobs", "customJob", done["id"], "logs", params={"cursor": cursor}
    )
    assert (status, newer["entries"], newer["cursor"]) == (200, [], cursor)
    await _wait(api, dirty)

    # Listing: both jobs, paged one by one, filtered by kind and state.
    status, first = await api("GET", "jobs", params={"pageSize": "1"})
    assert status == 200 and len(first["jobs"]) == 1 and first["nextPageToken"]
    status, second = await api(
        "GET", "jobs", params={"pageSize": "1", "pageToken": first["nextPageToken"]}
    )
    assert status == 200 and len(second["jobs"]) == 1
    seen = {first["jobs"][0]["id"], second["jobs"][0]["id"]}
    assert seen == {clean["id"], dirty["id"]}
    if second["nextPageToken"]:
        status, rest = await api(
            "GET", "jobs", params={"pageSize": "1", "pageToken": second["nextPageToken"]}
        )
        assert (status, rest) == (200, {"jobs": [], "nextPageToken": None})
    status, only = await api("GET", "jobs", params={"kind": "trainingPipeline"})
    assert (status, only) == (200, {"jobs": [], "nextPageToken": None})
    status, succeeded = await api("GET", "jobs", params={"state": "SUCCEEDED"})
    assert sorted(j["id"] for j in succeeded["jobs"]) == sorted(seen)
    status, running = await api("GET", "jobs", params={"state": "RUNNING"})
    assert running == {"jobs": [], "nextPageToken": None}

    # Delete: gone.
    assert await api("DELETE", "jobs", "customJob", dirty["id"]) == (204, None)
    status, _ = await api("GET", "jobs", "customJob", dirty["id"])
    assert status == 404


async def test_notebook_runs_and_the_executed_notebook_is_kept(
    api: Any, jp_root_dir: Path, emulator: Any, project_id: str, tmp_path: Path
) -> None:
    import nbformat

    folder = jp_root_dir / "nb"
    folder.mkdir()
    (folder / "values.txt").write_text("6 7\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A notebook trained on Vertex"),
        nbformat.v4.new_code_cell(
            "a, b = map(int, open('values.txt').read().split())\nprint('answer', a * b)"
        ),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "analysis.ipynb")

    status, job = await api("POST", "jobs", body={"path": "nb/analysis.ipynb"})
    assert status == 201, job
    assert job["source"] == {"path": "nb/analysis.ipynb", "kind": "notebook"}
    base = job["spec"]["baseOutputDirectory"].rstrip("/")
    assert job["notebookOutput"] == f"{base}/executed/analysis.ipynb"
    done = await _wait(api, job)
    assert done["state"] == "SUCCEEDED", done
    kept = await asyncio.to_thread(
        _download, emulator, project_id, done["notebookOutput"], tmp_path / "executed.ipynb"
    )
    executed = nbformat.read(kept, as_version=4)
    assert executed.cells[1].outputs[0]["text"] == "answer 42\n"
    assert executed.metadata["papermill"]["exception"] is None

    status, code = await api("GET", "jobs", "customJob", done["id"], "code")
    assert status == 200 and "worker_pool_specs = [" in code["code"]


async def test_a_rejected_job_leaves_nothing_staged(
    api: Any, root: Path, emulator: Any, project_id: str
) -> None:
    status, error = await api(
        "POST",
        "jobs",
        body={
            "path": "proj/train.py",
            "registerModel": {"servingContainerImageUri": SKLEARN_SERVING, "parentModel": "999"},
        },
    )
    assert status in (400, 404), error
    assert "999" in error["message"], error
    assert await api("GET", "jobs") == (200, {"jobs": [], "nextPageToken": None})
    assert await asyncio.to_thread(_staged, emulator, project_id) == []


async def test_failing_and_cancelled_jobs(api: Any, jp_root_dir: Path) -> None:
    folder = jp_root_dir / "jobs"
    folder.mkdir()
    (folder / "fail.py").write_text("import sys\nprint('about to fail')\nsys.exit(3)\n")
    (folder / "slow.py").write_text("import time\nprint('sleeping', flush=True)\ntime.sleep(120)\n")

    status, failing = await api("POST", "jobs", body={"path": "jobs/fail.py"})
    assert status == 201, failing
    status, slow = await api("POST", "jobs", body={"path": "jobs/slow.py"})
    assert status == 201, slow

    failed = await _wait(api, failing)
    assert failed["state"] == "FAILED"
    assert failed["error"] is not None and "about to fail" in failed["error"]["message"]

    deadline = time.monotonic() + 60
    while True:
        status, current = await api("GET", "jobs", "customJob", slow["id"])
        if current["state"] == "RUNNING":
            break
        assert time.monotonic() < deadline, current
        await asyncio.sleep(0.2)
    status, cancelling = await api("POST", "jobs", "customJob", slow["id"], "cancel")
    assert status == 200 and cancelling["state"] in ("CANCELLING", "CANCELLED"), cancelling
    cancelled = await _wait(api, slow, timeout=60)
    assert cancelled["state"] == "CANCELLED"


async def test_a_registered_model_becomes_a_new_version(
    api: Any, jp_root_dir: Path, emulator: Any, project_id: str
) -> None:
    from ..seed import Seeder

    parent = await asyncio.to_thread(Seeder(emulator, project_id).upload_model, "digits")
    parent_id = parent.name.rsplit("/", 1)[1]
    folder = jp_root_dir / "digits"
    folder.mkdir()
    shutil.copy(EXAMPLES / "train_digits.py", folder / "train_digits.py")
    status, job = await api(
        "POST",
        "jobs",
        body={
            "path": "digits/train_digits.py",
            "args": ["--max-iter", "50"],
            "registerModel": {
                "servingContainerImageUri": SKLEARN_SERVING,
                "parentModel": parent_id,
            },
        },
    )
    assert status == 201, job
    assert job["model"]["parentModel"].endswith(f"/models/{parent_id}")
    done = await _wait(api, job)
    assert done["state"] == "SUCCEEDED", done
    assert done["model"]["uploadedModel"].rsplit("/", 1)[1] == f"{parent_id}@2"
    status, versions = await api("GET", "models", parent_id, "versions")
    assert [m["versionId"] for m in versions["models"]] == ["1", "2"]


async def test_the_merged_listing_pages_through_both_kinds(api: Any, root: Path) -> None:
    created = []
    for body in (
        {"path": "proj/train.py", "displayName": "job-a"},
        {"path": "proj/train.py", "displayName": "job-b"},
        {
            "path": "proj/train.py",
            "displayName": "pipeline-c",
            "registerModel": {"servingContainerImageUri": SKLEARN_SERVING},
        },
    ):
        status, job = await api("POST", "jobs", body=body)
        assert status == 201, job
        created.append((job["kind"], job["id"]))
    assert [kind for kind, _ in created] == ["customJob", "customJob", "trainingPipeline"]
    finished = [await _wait(api, {"kind": kind, "id": job_id}) for kind, job_id in created]
    # As in Vertex AI, the pipeline's own CustomJob is a custom job of the project too.
    backing = finished[2]["customJob"]
    assert backing and backing.split("/")[-2] == "customJobs"
    listed = [*created, ("customJob", backing.rsplit("/", 1)[1])]

    for size in ("1", "2", "3", "50"):
        seen: list[tuple[str, str]] = []
        token = None
        for _ in range(10):
            params = {"pageSize": size, **({"pageToken": token} if token else {})}
            status, page = await api("GET", "jobs", params=params)
            assert status == 200, page
            assert len(page["jobs"]) <= int(size)
            seen += [(j["kind"], j["id"]) for j in page["jobs"]]
            token = page["nextPageToken"]
            if token is None:
                break
        assert sorted(seen) == sorted(listed), size  # each once: no repeat, no gap

    status, pipelines = await api("GET", "jobs", params={"kind": "trainingPipeline"})
    assert [(j["kind"], j["id"]) for j in pipelines["jobs"]] == [created[2]]
    status, customs = await api("GET", "jobs", params={"kind": "customJob"})
    assert sorted(j["id"] for j in customs["jobs"]) == sorted(
        i for k, i in listed if k == "customJob"
    )


FOLLOW = """import os, sys, time
print("first", flush=True)
deadline = time.monotonic() + 60
while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:
    time.sleep(0.05)
print("second", flush=True)
print("third", flush=True)
"""


async def test_logs_follow_from_a_cursor(api: Any, jp_root_dir: Path, tmp_path: Path) -> None:
    (jp_root_dir / "follow.py").write_text(FOLLOW)
    gate = tmp_path / "gate"
    status, job = await api("POST", "jobs", body={"path": "follow.py", "args": [str(gate)]})
    assert status == 201, job

    deadline = time.monotonic() + 120
    cursor = None
    while True:
        status, page = await api("GET", "jobs", "customJob", job["id"], "logs")
        assert status == 200, page
        if "first" in [e["message"] for e in page["entries"]]:
            cursor = page["cursor"]
            assert page["state"] == "RUNNING"
            break
        assert time.monotonic() < deadline, page
        await asyncio.sleep(0.2)
    assert "second" not in [e["message"] for e in page["entries"]]
    await asyncio.to_thread(gate.write_text, "go")
    done = await _wait(api, job)
    assert done["state"] == "SUCCEEDED", done
    status, newer = await api(
        "GET", "jobs", "customJob", job["id"], "logs", params={"cursor": cursor}
    )
    assert status == 200
    assert [e["message"] for e in newer["entries"] if e["replica"] == "workerpool0-0"] == [
        "second",
        "third",
    ]
    # Page by page: one line at a time, never the same line twice.
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        params = {"pageSize": "1", **({"cursor": cursor} if cursor else {})}
        status, page = await api("GET", "jobs", "customJob", job["id"], "logs", params=params)
        if not page["entries"]:
            break
        seen += [e["insertId"] for e in page["entries"]]
        cursor = page["cursor"]
    assert len(seen) == len(set(seen)) >= 3


CLUSTER = """import json, os
spec = json.loads(os.environ["CLUSTER_SPEC"])
print("TASK", spec["task"]["type"], spec["task"]["index"], len(spec["cluster"]["workerpool1"]))
"""


async def test_two_replicas_each_get_their_cluster_spec(api: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "cluster.py").write_text(CLUSTER)
    status, job = await api("POST", "jobs", body={"path": "cluster.py", "replicaCount": 3})
    assert status == 201, job
    assert job["spec"]["replicaCount"] == 3
    done = await _wait(api, job)
    assert done["state"] == "SUCCEEDED", done
    status, page = await api("GET", "jobs", "customJob", job["id"], "logs")
    tasks = sorted(
        (e["replica"], e["message"]) for e in page["entries"] if e["message"].startswith("TASK")
    )
    assert tasks == [
        ("workerpool0-0", "TASK workerpool0 0 2"),
        ("workerpool1-0", "TASK workerpool1 0 2"),
        ("workerpool1-1", "TASK workerpool1 1 2"),
    ]
