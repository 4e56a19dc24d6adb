"""The google-cloud-aiplatform code that does what a deploy or a prediction of the API does.

Deploy: ``Model.deploy(endpoint=…, machine_type=…, …, traffic_percentage=…)`` (the SDK
shares the rest of the traffic as the extension does). Predict: ``Endpoint.predict``; bulk:
the same in a loop over chunks. Values are written with ``repr`` so the code is valid
Python whatever they hold (JSON's true/false/null become True/False/None).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .deploy import parse_deploy
from .predict_input import ONLINE_LIMIT

__all__ = ["deploy_code", "predict_code"]

#: Instances longer than this (as Python text) are not written into the code.
MAX_INLINE_CHARS = 4000
BULK_CHUNK = 1000


def _call(callee: str, kwargs: list[tuple[str, str]]) -> str:
    lines = [f"{callee}("]
    lines += [f"    {key}={value}," for key, value in kwargs]
    lines.append(")")
    return "\n".join(lines)


def _head(project: str, region: str) -> str:
    return (
        "from google.cloud import aiplatform\n\n"
        f"aiplatform.init(project={project!r}, location={region!r})\n"
        "# On the embedded Vertex instead: import jupyter_vertex.emulator; "
        "jupyter_vertex.emulator.init()\n\n"
    )


def deploy_code(model_id: str, body: Mapping[str, Any], *, project: str, region: str) -> str:
    """Python code deploying model ``model_id`` as the ``DeployRequest`` ``body`` asks."""
    options = parse_deploy(body)
    parent = f"projects/{project}/locations/{region}"
    text = _head(project, region)
    text += f"model = aiplatform.Model({f'{parent}/models/{model_id}'!r})\n"
    if options.endpoint_id:
        text += f"endpoint = aiplatform.Endpoint({f'{parent}/endpoints/{options.endpoint_id}'!r})\n"
    else:
        display = options.endpoint_display_name
        text += "endpoint = aiplatform.Endpoint.create(display_name="
        text += (repr(display) if display else 'model.display_name + "-endpoint"') + ")\n"
    kwargs: list[tuple[str, str]] = [("endpoint", "endpoint")]
    if options.deployed_model_display_name:
        kwargs.append(("deployed_model_display_name", repr(options.deployed_model_display_name)))
    kwargs += [
        ("machine_type", repr(options.machine_type)),
        ("min_replica_count", repr(options.min_replica_count)),
        ("max_replica_count", repr(options.max_replica_count)),
    ]
    if options.accelerator_type:
        kwargs += [
            ("accelerator_type", repr(options.accelerator_type)),
            ("accelerator_count", repr(options.accelerator_count)),
        ]
    kwargs.append(("traffic_percentage", repr(options.traffic_percentage)))
    return text + _call("model.deploy", kwargs) + "\n"


def _instances_line(instances: list[Any] | None) -> str:
    if instances:
        text = repr(instances)
        if len(text) <= MAX_INLINE_CHARS:
            return f"instances = {text}\n"
        return f"instances = ...  # your {len(instances)} instances (a list)\n"
    return "instances = [...]  # your instances, e.g. [[0.0, 1.5, ...], ...]\n"


def predict_code(
    endpoint_id: str,
    instances: list[Any] | None,
    *,
    bulk: bool,
    project: str,
    region: str,
) -> str:
    """Python code predicting ``instances`` at the endpoint (in chunks when ``bulk``)."""
    name = f"projects/{project}/locations/{region}/endpoints/{endpoint_id}"
    text = _head(project, region) + f"endpoint = aiplatform.Endpoint({name!r})\n"
    text += _instances_line(instances)
    if not bulk:
        return (
            text
            + "prediction = endpoint.predict(instances=instances)\n"
            + "print(prediction.predictions)\n"
        )
    return text + (
        f"# Each request must stay under {ONLINE_LIMIT} bytes (1.5 MB): send chunks in order.\n"
        "predictions = []\n"
        f"for start in range(0, len(instances), {BULK_CHUNK}):\n"
        f"    chunk = instances[start : start + {BULK_CHUNK}]\n"
        "    predictions.extend(endpoint.predict(instances=chunk).predictions)\n"
        "print(len(predictions))\n"
    )
