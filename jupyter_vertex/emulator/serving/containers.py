"""Which serving containers the embedded Vertex can run, and as which model server.

No container image runs here: every deployed model is served by the SDK's own model server
(the Custom Prediction Routine server) with a handler and predictor chosen from the model
version's ``containerSpec``:

- Vertex's prebuilt ``sklearn-cpu.*`` and ``xgboost-cpu.*`` prediction images: the SDK's
  ``SklearnPredictor`` / ``XgboostPredictor``.
- Vertex's prebuilt TensorFlow images (``tf2-cpu.*``, ``tf2-gpu.*``, ``tf-*``), when
  ``tensorflow`` is importable in the interpreter the model servers run with (this one):
  our ``tf_predictor.TensorflowPredictor`` (the SavedModel's ``serving_default`` signature,
  TF Serving's row format); without TensorFlow, FAILED_PRECONDITION saying how to install it.
- Vertex's prebuilt PyTorch images (``pytorch-cpu.*``, ``pytorch-gpu.*``), when ``torch``
  and TorchServe's ``ts`` package (the ``torchserve`` wheel) are importable here: our
  ``torch_predictor.TorchServePredictor`` (``model.mar`` run by TorchServe's own Python
  backend: any handler it runs, TorchScript or eager models, the JSON envelope); without
  either, FAILED_PRECONDITION saying what to install.
- Any other image whose ``containerSpec.env`` names ``PREDICTOR_MODULE`` /
  ``PREDICTOR_CLASS`` (and/or ``HANDLER_MODULE`` / ``HANDLER_CLASS``) — the variables a
  Custom Prediction Routine image sets — a CPR model: the predictor's source is imported from
  the model's artifact folder (copied into the server's working folder first).
- Anything else: FAILED_PRECONDITION saying what can run.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import failed_precondition

DEFAULT_HANDLER = ("google.cloud.aiplatform.prediction.handler", "PredictionHandler")
_PREBUILT = re.compile(
    r"^(?:[a-z0-9-]+-docker\.pkg\.dev/vertex-ai(?:-restricted)?/prediction/|"
    r"gcr\.io/cloud-aiplatform/prediction/)"
    r"(?P<family>sklearn-cpu|xgboost-cpu|tf2?-(?:cpu|gpu)|pytorch-(?:cpu|gpu))\.[^/]+$"
)
_PREDICTORS = {
    "sklearn-cpu": ("google.cloud.aiplatform.prediction.sklearn.predictor", "SklearnPredictor"),
    "xgboost-cpu": ("google.cloud.aiplatform.prediction.xgboost.predictor", "XgboostPredictor"),
}
TENSORFLOW_PREDICTOR = ("jupyter_vertex.emulator.serving.tf_predictor", "TensorflowPredictor")
TORCH_PREDICTOR = ("jupyter_vertex.emulator.serving.torch_predictor", "TorchServePredictor")
_ROUTINE_ENV = {"PREDICTOR_MODULE", "PREDICTOR_CLASS", "HANDLER_MODULE", "HANDLER_CLASS"}
SUPPORTED = (
    "it serves Vertex's prebuilt scikit-learn, XGBoost and (with TensorFlow installed) "
    "TensorFlow prediction containers (…-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.*, "
    "xgboost-cpu.* and tf2-cpu.*), (with PyTorch and TorchServe installed) PyTorch "
    "containers (pytorch-cpu.*, a TorchServe archive model.mar) and Custom "
    "Prediction Routine models (containerSpec.env with PREDICTOR_MODULE and PREDICTOR_CLASS, "
    "the predictor's source in the artifact folder) through the SDK's model server"
)


@dataclass(frozen=True)
class ServerSpec:
    """How to run one deployed model's server: the SDK model server's handler and predictor,
    the container's own environment, and whether the artifacts hold importable source."""

    handler: tuple[str, str] = DEFAULT_HANDLER
    predictor: tuple[str, str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    source_in_artifacts: bool = False


def predictor_for(image_uri: str) -> tuple[str, str]:
    """(PREDICTOR_MODULE, PREDICTOR_CLASS) of a prebuilt serving image, or FAILED_PRECONDITION."""
    spec = server_for({"imageUri": image_uri})
    assert spec.predictor is not None  # prebuilt images always have one
    return spec.predictor


def server_for(container_spec: dict[str, Any]) -> ServerSpec:
    """The model server for a model version's ``containerSpec``, or FAILED_PRECONDITION."""
    image = str(container_spec.get("imageUri") or "")
    env = _env_of(container_spec)
    match = _PREBUILT.match(image)
    if match is not None:
        family = match.group("family")
        if family in _PREDICTORS:
            return ServerSpec(predictor=_PREDICTORS[family], env=env)
        if family.startswith("tf") and _installed("tensorflow"):
            # the model servers run with this interpreter: TensorFlow loads there, not here
            return ServerSpec(predictor=TENSORFLOW_PREDICTOR, env=env)
        if family.startswith("pytorch") and not _torch_missing():
            # as for TensorFlow: torch and TorchServe load in the model servers only
            return ServerSpec(predictor=TORCH_PREDICTOR, env=env)
        raise _framework_refused(image, family)
    if _ROUTINE_ENV & env.keys():
        return _custom_routine(image, env)
    raise failed_precondition(
        f"The model's serving container {image or '(none)'!r} cannot run on the embedded "
        f"Vertex: {SUPPORTED}. Other custom containers are not run."
    )


def _env_of(container_spec: dict[str, Any]) -> dict[str, str]:
    out = {}
    for item in container_spec.get("env") or []:
        name = str(item.get("name") or "")
        if name:
            out[name] = str(item.get("value") or "")
    return out


def _custom_routine(image: str, env: dict[str, str]) -> ServerSpec:
    def pair(kind: str) -> tuple[str, str] | None:
        module, cls = env.get(f"{kind}_MODULE", ""), env.get(f"{kind}_CLASS", "")
        if not module and not cls:
            return None
        if not module or not cls:
            missing = f"{kind}_CLASS" if module else f"{kind}_MODULE"
            raise failed_precondition(
                f"The model's serving container {image!r} is a Custom Prediction Routine "
                f"(containerSpec.env sets {kind}_MODULE or {kind}_CLASS) but "
                f"containerSpec.env has no {missing}."
            )
        return module, cls

    return ServerSpec(
        handler=pair("HANDLER") or DEFAULT_HANDLER,
        predictor=pair("PREDICTOR"),
        env=env,
        source_in_artifacts=True,
    )


def _installed(module: str) -> bool:
    """Whether ``module`` can be imported here, without importing it."""
    return importlib.util.find_spec(module) is not None


def _torch_missing() -> list[str]:
    """The pip packages PyTorch images need that are not installed here: ``torch`` and
    ``torchserve`` (whose Python backend, the ``ts`` package, runs the archive)."""
    return [
        pip for module, pip in (("torch", "torch"), ("ts", "torchserve")) if not _installed(module)
    ]


def _framework_refused(image: str, family: str) -> Exception:
    if family.startswith("pytorch"):
        missing = _torch_missing()
        return failed_precondition(
            f"The model's serving container {image!r} is Vertex's prebuilt PyTorch prediction "
            "image (TorchServe on a model archive, model.mar). The embedded Vertex runs the "
            "archive with PyTorch and TorchServe's Python backend, and "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed in "
            f"its environment: install {'it' if len(missing) == 1 else 'them'} there (pip "
            f"install {' '.join(missing)}) and deploy again. Or serve the model as a Custom "
            "Prediction Routine (containerSpec.env PREDICTOR_MODULE and PREDICTOR_CLASS, the "
            "predictor's source in the artifact folder)."
        )
    return failed_precondition(
        f"The model's serving container {image!r} is Vertex's prebuilt TensorFlow prediction "
        "image (a SavedModel behind TensorFlow Serving). TensorFlow is not installed in the "
        "embedded Vertex's environment: install it there (pip install tensorflow-cpu) and "
        "deploy again; the embedded Vertex then serves the SavedModel's serving_default "
        "signature. Or serve the model as a Custom Prediction Routine (containerSpec.env "
        "PREDICTOR_MODULE and PREDICTOR_CLASS, the predictor's source in the artifact folder)."
    )
