"""The Python SDK code (google-cloud-aiplatform) that does what a job of the API does.

Input: the API's ``Job`` JSON (see ``api/openapi.yaml``). For a script the extension
packaged, the code is the SDK's own "train from a local script" flow
(``CustomJob.from_local_script`` / ``CustomTrainingJob(...).run``); for a notebook, or a job
whose source is unknown, it runs the very package the job ran
(``CustomJob(worker_pool_specs=...)`` / ``CustomPythonPackageTrainingJob(...).run``).
Values are written with ``repr`` so the code is valid Python whatever they hold.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Raw", "sdk_code"]


def _call(callee: str, kwargs: list[tuple[str, Any]], indent: str = "") -> str:
    lines = [f"{callee}("]
    for key, value in kwargs:
        lines.append(f"{indent}    {key}={value!r},")
    lines.append(f"{indent})")
    return "\n".join(lines)


def _machine(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [
        ("replica_count", spec["replicaCount"]),
        ("machine_type", spec["machineType"]),
    ]
    if spec.get("acceleratorType"):
        out += [
            ("accelerator_type", spec["acceleratorType"]),
            ("accelerator_count", spec["acceleratorCount"]),
        ]
    return out


def _run_options(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if spec.get("args"):
        out.append(("args", list(spec["args"])))
    if spec.get("env"):
        out.append(("environment_variables", dict(spec["env"])))
    return out + _machine(spec)


def _worker_pool_specs(spec: dict[str, Any]) -> list[dict[str, Any]]:
    machine: dict[str, Any] = {"machine_type": spec["machineType"]}
    if spec.get("acceleratorType"):
        machine["accelerator_type"] = spec["acceleratorType"]
        machine["accelerator_count"] = spec["acceleratorCount"]
    package = {
        "executor_image_uri": spec["imageUri"],
        "package_uris": list(spec["packageUris"]),
        "python_module": spec["pythonModule"],
        "args": list(spec.get("args") or []),
        "env": [{"name": k, "value": v} for k, v in (spec.get("env") or {}).items()],
    }
    pools = [{"machine_spec": machine, "replica_count": 1, "python_package_spec": package}]
    if spec["replicaCount"] > 1:
        pools.append(
            {
                "machine_spec": machine,
                "replica_count": spec["replicaCount"] - 1,
                "python_package_spec": package,
            }
        )
    return pools


def _pformat(value: Any) -> str:
    import pprint

    return pprint.pformat(value, indent=4, width=88, sort_dicts=False)


def sdk_code(job: dict[str, Any], *, project: str, region: str, staging_bucket: str | None) -> str:
    """Python code for the SDK that creates a job like ``job``."""
    spec = job["spec"]
    source = job.get("source")
    model = job.get("model")
    labels = {k: v for k, v in (job.get("labels") or {}).items()}
    init: list[tuple[str, Any]] = [("project", project), ("location", region)]
    if staging_bucket:
        init.append(("staging_bucket", staging_bucket))
    head = "from google.cloud import aiplatform\n\n" + _call("aiplatform.init", init) + "\n\n"
    base = [("display_name", job["displayName"])]
    if source and source.get("kind") == "script":
        common = [
            *base,
            ("script_path", source["path"]),
            ("container_uri", spec["imageUri"]),
        ]
        if spec.get("requirements"):
            common.append(("requirements", list(spec["requirements"])))
        if model is None:
            kwargs = [*common, *_run_options(spec)]
            if labels:
                kwargs.append(("labels", labels))
            return (
                head
                + "job = "
                + _call("aiplatform.CustomJob.from_local_script", kwargs)
                + "\njob.run()\n"
            )
        ctor = [*common, ("model_serving_container_image_uri", model["servingContainerImageUri"])]
        if labels:
            ctor.append(("labels", labels))
        run = _model_run(model, spec)
        return (
            head
            + "job = "
            + _call("aiplatform.CustomTrainingJob", ctor)
            + "\nmodel = "
            + _call("job.run", run)
            + "\n"
        )
    # A notebook (run by the packaged runner) or a job from elsewhere: the same package.
    if model is None:
        text = head + f"worker_pool_specs = {_pformat(_worker_pool_specs(spec))}\n\n"
        kwargs = [*base, ("worker_pool_specs", Raw("worker_pool_specs"))]
        if spec.get("baseOutputDirectory"):
            kwargs.append(("base_output_dir", spec["baseOutputDirectory"]))
        if labels:
            kwargs.append(("labels", labels))
        return text + "job = " + _call("aiplatform.CustomJob", kwargs) + "\njob.run()\n"
    ctor = [
        *base,
        ("python_package_gcs_uri", list(spec["packageUris"])),
        ("python_module_name", spec["pythonModule"]),
        ("container_uri", spec["imageUri"]),
        ("model_serving_container_image_uri", model["servingContainerImageUri"]),
    ]
    if labels:
        ctor.append(("labels", labels))
    run = _model_run(model, spec)
    if spec.get("baseOutputDirectory"):
        run.insert(0, ("base_output_dir", spec["baseOutputDirectory"]))
    return (
        head
        + "job = "
        + _call("aiplatform.CustomPythonPackageTrainingJob", ctor)
        + "\nmodel = "
        + _call("job.run", run)
        + "\n"
    )


def _model_run(model: dict[str, Any], spec: dict[str, Any]) -> list[tuple[str, Any]]:
    run: list[tuple[str, Any]] = []
    if model.get("displayName"):
        run.append(("model_display_name", model["displayName"]))
    if model.get("parentModel"):
        run.append(("parent_model", model["parentModel"]))
    return run + _run_options(spec)


class Raw:
    """A name written as is (not quoted) in generated code."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text
