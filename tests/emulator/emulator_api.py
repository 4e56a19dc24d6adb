"""A raw REST client for the embedded Vertex's own tests."""

from __future__ import annotations

from typing import Any

import requests

from jupyter_vertex.emulator.testing import EmulatorProcess

LOCATION = "us-central1"
IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"


class Api:
    """A tiny REST client: one project per test, so tests never see each other's data."""

    def __init__(self, emu: EmulatorProcess, project: str, location: str = LOCATION) -> None:
        self.emu = emu
        self.project = project
        self.location = location
        self.session = requests.Session()

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.location}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {self.emu.token if token is None else token}"}
        all_headers.update(headers or {})
        return self.session.request(
            method,
            f"{self.emu.url}/{path.lstrip('/')}",
            json=body,
            data=data,
            params=params,
            headers=all_headers,
            timeout=30,
        )

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def error(self, method: str, path: str, body: Any = None, *, status: str, **kwargs: Any) -> str:
        """Assert a Google error answer; return its message."""
        response = self.call(method, path, body, **kwargs)
        error = response.json()["error"]
        expected_http = {
            "INVALID_ARGUMENT": 400,
            "FAILED_PRECONDITION": 400,
            "NOT_FOUND": 404,
            "ALREADY_EXISTS": 409,
            "ABORTED": 409,
            "UNAUTHENTICATED": 401,
        }[status]
        assert (response.status_code, error["code"], error["status"]) == (
            expected_http,
            expected_http,
            status,
        ), response.text
        assert response.headers["Content-Type"].startswith("application/json")
        message: str = error["message"]
        return message

    # resources ------------------------------------------------------------------------

    def upload(self, display_name: str = "m", **fields: Any) -> dict[str, Any]:
        """UploadModel without artifacts; answer the Model (default version)."""
        request: dict[str, Any] = {
            k: fields.pop(k) for k in ("modelId", "parentModel") if k in fields
        }
        model = {"displayName": display_name, "containerSpec": {"imageUri": "example/img"}}
        model.update(fields)
        request["model"] = model
        operation = self.ok("POST", f"v1/{self.parent}/models:upload", request)
        assert operation["done"] is True, operation
        assert "error" not in operation, operation
        response = operation["response"]
        return self.ok("GET", f"v1/{response['model']}@{response['modelVersionId']}")

    def create_endpoint(self, display_name: str = "e", **fields: Any) -> dict[str, Any]:
        params = {"endpointId": fields.pop("endpointId")} if "endpointId" in fields else None
        operation = self.ok(
            "POST",
            f"v1/{self.parent}/endpoints",
            {"displayName": display_name, **fields},
            params=params,
        )
        assert operation["done"] is True and "error" not in operation, operation
        endpoint: dict[str, Any] = operation["response"]
        return endpoint
