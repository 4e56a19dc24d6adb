"""Custom Prediction Routines over REST: a user's own handler (no predictor) served from its
artifacts, the container's environment reaching it, and a routine whose module is missing."""

from __future__ import annotations

import textwrap
from typing import Any

from ..emulator_api import Api
from ..serving_helpers import artifacts, server_pids, wait_for

RESOURCES = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}
IMAGE = "europe-west4-docker.pkg.dev/my-project/cpr/summer:2"

HANDLER = textwrap.dedent(
    '''
    """Answers the sum of each instance, times FACTOR from the container's environment."""

    import json
    import os

    from fastapi import Response
    from google.cloud.aiplatform.prediction.handler import Handler


    class SumHandler(Handler):
        def __init__(self, artifacts_uri, predictor=None):
            self.factor = float(os.environ["FACTOR"])

        async def handle(self, request):
            body = await request.json()
            sums = [self.factor * sum(row) for row in body["instances"]]
            return Response(json.dumps({"predictions": sums}), media_type="application/json")
    '''
)


def _deploy(api: Api, env: list[dict[str, str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = artifacts(api, {"summer.py": HANDLER.encode()})
    model = api.upload("summer", artifactUri=folder, containerSpec={"imageUri": IMAGE, "env": env})
    endpoint = api.create_endpoint()
    body = {"deployedModel": {"model": model["name"], "dedicatedResources": RESOURCES}}
    start = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    operation = wait_for(
        "the deploy", lambda: (op := api.ok("GET", f"v1/{start['name']}")).get("done") and op
    )
    return endpoint, operation


def test_a_routine_with_its_own_handler_and_environment(api: Api) -> None:
    env = [
        {"name": "HANDLER_MODULE", "value": "summer"},
        {"name": "HANDLER_CLASS", "value": "SumHandler"},
        {"name": "FACTOR", "value": "2.5"},
    ]
    endpoint, operation = _deploy(api, env)
    assert "error" not in operation, operation
    deployed = operation["response"]["deployedModel"]
    answer = api.ok(
        "POST", f"v1/{endpoint['name']}:predict", {"instances": [[1, 2, 3], [0.5, 0.5]]}
    )
    assert answer["predictions"] == [15.0, 2.5]
    assert answer["deployedModelId"] == deployed["id"]
    api.ok("POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": deployed["id"]})
    assert server_pids(deployed["id"]) == []


def test_a_routine_whose_module_is_missing_fails_the_deploy_with_the_servers_words(
    api: Api,
) -> None:
    env = [
        {"name": "PREDICTOR_MODULE", "value": "not_in_the_artifacts"},
        {"name": "PREDICTOR_CLASS", "value": "Nothing"},
    ]
    endpoint, operation = _deploy(api, env)
    assert operation["error"]["code"] == 9, operation
    message = operation["error"]["message"]
    assert "exited with status" in message
    assert "No module named 'not_in_the_artifacts'" in message
    assert "deployedModels" not in api.ok("GET", f"v1/{endpoint['name']}")
