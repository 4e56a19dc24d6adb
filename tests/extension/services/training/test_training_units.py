"""Units of training from a file: packaging, options, git provenance, SDK code."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.errors import InvalidArgument, NotFound
from jupyter_vertex.services.training.job_json import custom_job_to_json, source_of, spec_of
from jupyter_vertex.services.training.options import (
    check_machine,
    parse_options,
    training_image,
    worker_pool_specs,
)
from jupyter_vertex.services.training.packaging import (
    PACKAGE_NAME,
    RUNNER_MODULE,
    build_package,
    parse_requirements,
    resolve_source,
)
from jupyter_vertex.services.training.provenance import git_provenance, provenance_from_labels
from jupyter_vertex.services.training.sdk_code import sdk_code

from ...git_helpers import GIT, git

SERVING = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"

# -- paths ---------------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    (r / "proj").mkdir(parents=True)
    (r / "proj" / "train.py").write_text("print('hi')\n")
    return r


def test_resolve_source(root: Path) -> None:
    source = resolve_source(root, "proj/train.py")
    assert (source.path, source.kind, source.folder) == (
        "proj/train.py",
        "script",
        (root / "proj").resolve(),
    )


@pytest.mark.parametrize(
    ("path", "klass", "words"),
    [
        ("../outside.py", InvalidArgument, "without '..'"),
        ("/etc/passwd", InvalidArgument, "relative to the Jupyter root"),
        ("proj/missing.py", NotFound, "no file 'proj/missing.py'"),
        ("proj", InvalidArgument, "is not a file"),
        ("proj/data.csv", InvalidArgument, "neither a Python script"),
        ("proj/link.py", InvalidArgument, "leads outside the Jupyter root"),
        ("0" * 3000, InvalidArgument, "is not a usable file name (File name too long)"),
    ],
)
def test_resolve_source_refuses(
    root: Path, tmp_path: Path, path: str, klass: type, words: str
) -> None:
    (root / "proj" / "data.csv").write_text("a,b\n")
    (tmp_path / "outside.py").write_text("print('outside')\n")
    (root / "proj" / "link.py").symlink_to(tmp_path / "outside.py")
    with pytest.raises(klass) as info:
        resolve_source(root, path)
    assert info.value.message.startswith("Field 'path': ")
    assert words in info.value.message


# -- packaging -----------------------------------------------------------------------


def _members(package_file: Path) -> dict[str, bytes]:
    with tarfile.open(package_file) as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def test_package_respects_gitignore_and_requirements(root: Path, tmp_path: Path) -> None:
    proj = root / "proj"
    (proj / ".gitignore").write_text("data/\n*.log\n")
    (proj / "data").mkdir()
    (proj / "data" / "big.bin").write_bytes(b"x" * 100)
    (proj / "run.log").write_text("log")
    (proj / "helper.py").write_text("VALUE = 1\n")
    (proj / "sub").mkdir()
    (proj / "sub" / "conf.json").write_text("{}")
    (proj / "__pycache__").mkdir()
    (proj / "__pycache__" / "x.pyc").write_bytes(b"")
    (proj / "requirements.txt").write_text(
        "# comment\nscikit-learn>=1.0\n-r other.txt\n\njoblib  # inline\n--index-url x\n"
    )
    (tmp_path / "secret.txt").write_text("secret")
    (proj / "escape.txt").symlink_to(tmp_path / "secret.txt")
    package = build_package(resolve_source(root, "proj/train.py"), workdir=tmp_path)
    try:
        assert package.files == [
            ".gitignore",
            "helper.py",
            "requirements.txt",
            "sub/conf.json",
            "train.py",
        ]
        assert package.requirements == ["scikit-learn>=1.0", "joblib"]
        assert package.python_module == RUNNER_MODULE
        members = _members(package.file)
        top = f"{PACKAGE_NAME}-0.1"
        assert sorted(members) == sorted(
            [
                f"{top}/setup.py",
                f"{top}/setup.cfg",
                f"{top}/PKG-INFO",
                f"{top}/{PACKAGE_NAME}/__init__.py",
                f"{top}/{PACKAGE_NAME}/run.py",
                f"{top}/{PACKAGE_NAME}/task.json",
                *(f"{top}/{PACKAGE_NAME}/src/{f}" for f in package.files),
            ]
        )
        setup = members[f"{top}/setup.py"].decode()
        assert "install_requires=['scikit-learn>=1.0', 'joblib']" in setup
    finally:
        package.remove()
    assert not package.file.exists()


def test_parse_requirements() -> None:
    assert parse_requirements("a==1\n  b  \n#c\n-e .\n") == ["a==1", "b"]


def test_package_over_the_limit_names_limit_and_biggest_files(root: Path) -> None:
    proj = root / "proj"
    (proj / "weights.bin").write_bytes(b"w" * 3000)
    (proj / "data.csv").write_bytes(b"d" * 2000)
    with pytest.raises(InvalidArgument) as info:
        build_package(resolve_source(root, "proj/train.py"), max_bytes=4096)
    message = info.value.message
    assert message.startswith("Field 'path': the folder proj holds 4.9 KiB to package")
    assert "over the limit of 4.0 KiB" in message
    assert "the biggest files: weights.bin (2.9 KiB), data.csv (2.0 KiB), train.py (12 bytes)" in (
        message
    )
    assert ".gitignore" in (info.value.hint or "")


def _install_and_run(package_file: Path, target: Path, args: list[str], cwd: Path) -> str:
    """What the embedded Vertex does: unpack the sdist, ``python -m`` the module with its
    root on PYTHONPATH (Vertex AI pip-installs it; the layout serves both)."""
    with tarfile.open(package_file) as tar:
        tar.extractall(target, filter="data")
    (top,) = [p for p in target.iterdir() if p.is_dir()]
    env = {**os.environ, "PYTHONPATH": str(top)}
    done = subprocess.run(
        [sys.executable, "-m", RUNNER_MODULE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_runner_runs_the_script_with_literal_argv(root: Path, tmp_path: Path) -> None:
    proj = root / "proj"
    (proj / "helper.py").write_text("GREETING = 'from helper'\n")
    (proj / "data.txt").write_text("data next to the script")
    (proj / "train.py").write_text(
        "import json, sys\nfrom helper import GREETING\n"
        "print(json.dumps({'argv': sys.argv[1:], 'helper': GREETING,"
        " 'data': open('data.txt').read(), 'name': __name__}))\n"
    )
    package = build_package(resolve_source(root, "proj/train.py"), workdir=tmp_path)
    args = ["--a", "$(touch /tmp/x); rm -rf ~ | cat `id` && echo *", "'q'", ""]
    out = _install_and_run(package.file, tmp_path / "site", args, tmp_path)
    import json

    assert json.loads(out) == {
        "argv": args,
        "helper": "from helper",
        "data": "data next to the script",
        "name": "__main__",
    }


def test_runner_executes_a_notebook_and_keeps_it(root: Path, tmp_path: Path) -> None:
    import nbformat

    proj = root / "proj"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 6 * 7\nprint('answer', x)")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, proj / "nb.ipynb")
    output = tmp_path / "out" / "executed" / "nb.ipynb"
    package = build_package(
        resolve_source(root, "proj/nb.ipynb"), workdir=tmp_path, notebook_output=str(output)
    )
    stdout = _install_and_run(package.file, tmp_path / "site", [], tmp_path)
    assert f"executed notebook kept at {output}" in stdout
    executed = nbformat.read(output, as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "answer 42\n"


# -- options -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("machine", "accelerator", "count", "message"),
    [
        (
            "n1-standard-4",
            "NVIDIA_TESLA_A100",
            1,
            "Field 'acceleratorType': Accelerator \"NVIDIA_TESLA_A100\" is not supported for "
            'machine type "n1-standard-4".',
        ),
        (
            "e2-standard-4",
            "NVIDIA_TESLA_T4",
            1,
            "Field 'acceleratorType': Accelerator \"NVIDIA_TESLA_T4\" is not supported for "
            'machine type "e2-standard-4".',
        ),
        (
            "a2-highgpu-2g",
            "NVIDIA_TESLA_A100",
            1,
            "Field 'acceleratorCount': Accelerator count 1 is not valid for accelerator "
            '"NVIDIA_TESLA_A100" on machine type "a2-highgpu-2g" (valid: 2).',
        ),
        (
            "g2-standard-4",
            "NVIDIA_TESLA_T4",
            1,
            "Field 'acceleratorType': Accelerator \"NVIDIA_TESLA_T4\" is not supported for "
            'machine type "g2-standard-4".',
        ),
        (
            "n1-standard-4",
            "NVIDIA_TESLA_T4",
            None,
            "Field 'acceleratorType': Both `accelerator_type` and `accelerator_count` should "
            "be specified or none.",
        ),
        (
            "z9-huge-1",
            None,
            None,
            "Field 'machineType': Machine type \"z9-huge-1\" is not supported.",
        ),
        (
            "a2-highgpu-1g",
            None,
            None,
            "Field 'acceleratorType': Machine type \"a2-highgpu-1g\" requires accelerator "
            '"NVIDIA_TESLA_A100" with accelerator_count 1.',
        ),
    ],
)
def test_machine_combinations_vertex_rejects(
    machine: str, accelerator: str | None, count: int | None, message: str
) -> None:
    with pytest.raises(InvalidArgument) as info:
        check_machine(machine, accelerator, count)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("machine", "accelerator", "count"),
    [
        ("n1-standard-4", None, None),
        ("n1-highmem-8", "NVIDIA_TESLA_T4", 4),
        ("n1-standard-16", "NVIDIA_TESLA_V100", 8),
        ("a2-highgpu-8g", "NVIDIA_TESLA_A100", 8),
        ("a2-ultragpu-1g", "NVIDIA_A100_80GB", 1),
        ("g2-standard-24", "NVIDIA_L4", 2),
        ("e2-standard-8", None, None),
    ],
)
def test_machine_combinations_vertex_accepts(
    machine: str, accelerator: str | None, count: int | None
) -> None:
    check_machine(machine, accelerator, count)


def test_prebuilt_images() -> None:
    assert (
        training_image("scikit-learn", None, gpu=False, region="us-central1")
        == "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest"
    )
    assert (
        training_image("tensorflow", "2.11", gpu=True, region="europe-west4")
        == "europe-docker.pkg.dev/vertex-ai/training/tf-gpu.2-11.py310:latest"
    )
    assert (
        training_image("pytorch", "2.1", gpu=False, region="asia-east1")
        == "asia-docker.pkg.dev/vertex-ai/training/pytorch-cpu.2-1.py310:latest"
    )
    with pytest.raises(InvalidArgument, match="no GPU training image"):
        training_image("xgboost", None, gpu=True, region="us-central1")
    with pytest.raises(InvalidArgument, match=r"^Field 'frameworkVersion': "):
        training_image("tensorflow", "1.0", gpu=False, region="us-central1")


def test_options_and_worker_pools() -> None:
    with pytest.raises(InvalidArgument, match=r"^Field 'env': '1BAD' is not a valid"):
        parse_options({"path": "a.py", "env": {"1BAD": "x"}})
    with pytest.raises(InvalidArgument, match=r"^Field 'imageUri': give either"):
        parse_options({"path": "a.py", "imageUri": "gcr.io/p/i", "framework": "pytorch"})
    options = parse_options(
        {
            "path": "a.py",
            "replicaCount": 3,
            "args": ["--x", "1"],
            "env": {"A": "b"},
            "machineType": "n1-standard-8",
            "acceleratorType": "NVIDIA_TESLA_T4",
            "acceleratorCount": 2,
        }
    )
    pools = worker_pool_specs(
        options, executor_image="img", package_uri="gs://b/p.tar.gz", python_module="m"
    )
    machine = {
        "machine_type": "n1-standard-8",
        "accelerator_type": "NVIDIA_TESLA_T4",
        "accelerator_count": 2,
    }
    package = {
        "executor_image_uri": "img",
        "package_uris": ["gs://b/p.tar.gz"],
        "python_module": "m",
        "args": ["--x", "1"],
        "env": [{"name": "A", "value": "b"}],
    }
    assert pools == [
        {"machine_spec": machine, "replica_count": 1, "python_package_spec": package},
        {"machine_spec": machine, "replica_count": 2, "python_package_spec": package},
    ]
    assert spec_of({"worker_pool_specs": pools}) == {
        "imageUri": "img",
        "packageUris": ["gs://b/p.tar.gz"],
        "pythonModule": "m",
        "args": ["--x", "1"],
        "env": {"A": "b"},
        "machineType": "n1-standard-8",
        "acceleratorType": "NVIDIA_TESLA_T4",
        "acceleratorCount": 2,
        "replicaCount": 3,
        "baseOutputDirectory": None,
    }


def test_source_from_the_package_uri() -> None:
    uri = "gs://b/jupyter-vertex/t/source/dir/sub/train.py/jupyter_vertex_task-0.1.tar.gz"
    assert source_of([uri]) == {"path": "dir/sub/train.py", "kind": "script"}
    assert source_of(["gs://b/other.tar.gz"]) is None


# -- git provenance ------------------------------------------------------------------


@pytest.mark.skipif(GIT is None, reason="git is not installed")
async def test_git_provenance_clean_and_dirty(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "Feature/Digits_V2")
    (repo / "sub" / "train.py").write_text("print(1)\n")
    assert await git_provenance(repo / "sub") is None  # no commit yet
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    sha = git(repo, "rev-parse", "--short", "HEAD")
    clean = await git_provenance(repo / "sub")
    assert clean is not None
    assert (clean.commit, clean.branch, clean.dirty) == (sha, "Feature/Digits_V2", False)
    assert clean.labels() == {
        "git-commit": sha,
        "git-branch": "feature-digits_v2",
        "git-dirty": "false",
    }
    (repo / "sub" / "train.py").write_text("print(2)\n")
    dirty = await git_provenance(repo / "sub")
    assert dirty is not None and dirty.dirty is True
    assert provenance_from_labels(dirty.labels()) == {
        "commit": sha,
        "branch": "feature-digits_v2",
        "dirty": True,
    }
    git(repo, "checkout", "-q", "--detach")
    detached = await git_provenance(repo)
    assert detached is not None and detached.branch is None


async def test_git_provenance_absent(tmp_path: Path) -> None:
    assert await git_provenance(tmp_path) is None
    assert await git_provenance(tmp_path, git=str(tmp_path / "no-such-git")) is None
    assert provenance_from_labels({"team": "ml"}) is None


# -- SDK code ------------------------------------------------------------------------


def _job(**overrides: Any) -> dict[str, Any]:
    from google.cloud.aiplatform_v1 import CustomJob

    options = parse_options(
        {
            "path": "examples/train_digits.py",
            "args": ["--max-iter", "50", 'it\'s "quoted"'],
            "env": {"MODE": "fast"},
        }
    )
    pools = worker_pool_specs(
        options,
        executor_image="us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest",
        package_uri="gs://b/jupyter-vertex/t/source/examples/train_digits.py/"
        "jupyter_vertex_task-0.1.tar.gz",
        python_module=RUNNER_MODULE,
    )
    job = CustomJob(
        name="projects/1/locations/us-central1/customJobs/5",
        display_name="digits",
        job_spec={
            "worker_pool_specs": pools,
            "base_output_directory": {"output_uri_prefix": "gs://b/o"},
        },
        labels={"git-commit": "abc1234"},
    )
    data = custom_job_to_json(job)
    data.update(overrides)
    return data


def test_sdk_code_for_a_script() -> None:
    job = _job()
    code = sdk_code(job, project="p", region="us-central1", staging_bucket="gs://b")
    compile(code, "<sdk>", "exec")
    assert code.startswith(
        "from google.cloud import aiplatform\n\naiplatform.init(\n    project='p',\n"
        "    location='us-central1',\n    staging_bucket='gs://b',\n)\n"
    )
    assert "job = aiplatform.CustomJob.from_local_script(\n    display_name='digits',\n" in code
    assert "    script_path='examples/train_digits.py',\n" in code
    assert "    args=['--max-iter', '50', 'it\\'s \"quoted\"'],\n" in code
    assert "    environment_variables={'MODE': 'fast'},\n" in code
    assert code.endswith("    labels={'git-commit': 'abc1234'},\n)\njob.run()\n")

    registered = dict(
        job,
        model={
            "displayName": "digits-model",
            "servingContainerImageUri": SERVING,
            "parentModel": None,
            "uploadedModel": None,
        },
    )
    code = sdk_code(registered, project="p", region="us-central1", staging_bucket=None)
    compile(code, "<sdk>", "exec")
    assert "job = aiplatform.CustomTrainingJob(\n" in code
    assert "model = job.run(\n    model_display_name='digits-model',\n" in code


def test_sdk_code_for_a_notebook_runs_the_package() -> None:
    job = _job(source={"path": "nb.ipynb", "kind": "notebook"})
    code = sdk_code(job, project="p", region="r1", staging_bucket=None)
    compile(code, "<sdk>", "exec")
    assert "worker_pool_specs = [" in code
    assert "job = aiplatform.CustomJob(\n    display_name='digits',\n" in code
    assert "    worker_pool_specs=worker_pool_specs,\n" in code
    assert "'python_module': 'jupyter_vertex_task.run'" in code


def test_training_options_reach_the_emulator_argv_only_when_set() -> None:
    from jupyter_vertex.app import VertexApp

    assert VertexApp().training_emulator_args() == []
    app = VertexApp(
        training_python="/envs/a/bin/python",
        training_image_python={"tf-": "/envs/tf/bin/python", "pytorch-": "/envs/pt/bin/python"},
        training_max_concurrent_jobs=3,
    )
    assert app.training_emulator_args() == [
        "--training-python",
        "/envs/a/bin/python",
        "--image-python",
        "pytorch-=/envs/pt/bin/python",
        "--image-python",
        "tf-=/envs/tf/bin/python",
        "--max-concurrent-jobs",
        "3",
    ]


def test_runner_passes_args_to_a_notebook_as_a_parameter(root: Path, tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('args:', args)")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, root / "proj" / "p.ipynb")
    output = tmp_path / "kept.ipynb"
    package = build_package(
        resolve_source(root, "proj/p.ipynb"), workdir=tmp_path, notebook_output=str(output)
    )
    _install_and_run(package.file, tmp_path / "site", ["--lr", "0.1; rm -rf /"], tmp_path)
    executed = nbformat.read(output, as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "args: ['--lr', '0.1; rm -rf /']\n"
