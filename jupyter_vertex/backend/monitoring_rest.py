"""A REST transport for ``google.cloud.monitoring_v3.MetricServiceClient``'s ``list_time_series``.

The Monitoring client library ships gRPC transports only, while everything else here speaks
REST (the embedded Vertex serves HTTP/1.1 JSON, and Cloud Monitoring serves the same
``GET https://monitoring.googleapis.com/v3/{name}/timeSeries``). This transport plugs into
the library's own client (request and response types, pager, retries, exceptions) and
registers itself as the client's ``"rest"`` transport, so the client factory builds the
Monitoring client like every other one, for both backends. Only ``list_time_series`` is
implemented; the other methods are not used by the extension.
"""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as core_exceptions
from google.api_core import gapic_v1
from google.auth.transport.requests import AuthorizedSession
from google.cloud.monitoring_v3.services.metric_service.client import MetricServiceClient
from google.cloud.monitoring_v3.services.metric_service.transports.base import (
    MetricServiceTransport,
)
from google.cloud.monitoring_v3.types import metric_service
from google.protobuf import json_format

LIST_TIMEOUT = 30.0


def query_params(request: metric_service.ListTimeSeriesRequest) -> list[tuple[str, str]]:
    """The request's fields (but ``name``) as REST query parameters (dotted, repeated)."""
    data = json_format.MessageToDict(
        metric_service.ListTimeSeriesRequest.pb(request), preserving_proto_field_name=False
    )
    data.pop("name", None)
    out: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(value, list):
            for item in value:
                walk(prefix, item)
        else:
            out.append((prefix, str(value).lower() if isinstance(value, bool) else str(value)))

    walk("", data)
    return out


class MetricServiceRestTransport(MetricServiceTransport):
    """``list_time_series`` over HTTP/1.1 JSON."""

    def __init__(self, **kwargs: Any) -> None:
        client_info = kwargs.get("client_info") or gapic_v1.client_info.DEFAULT_CLIENT_INFO
        known = (
            "host",
            "credentials",
            "credentials_file",
            "scopes",
            "quota_project_id",
            "client_info",
            "always_use_jwt_access",
            "api_audience",
        )
        super().__init__(**{k: v for k, v in kwargs.items() if k in known})
        host = self._host
        if not host.startswith(("http://", "https://")):
            host = f"https://{host}"
        self._base = host.rstrip("/")
        self._session = AuthorizedSession(self._credentials)
        self._user_agent = client_info.to_user_agent()
        self._list = self._list_time_series
        self._wrapped_methods = {
            self._list: gapic_v1.method.wrap_method(
                self._list, default_timeout=LIST_TIMEOUT, client_info=client_info
            )
        }

    @property
    def list_time_series(self) -> Any:
        return self._list

    def _list_time_series(
        self,
        request: metric_service.ListTimeSeriesRequest,
        *,
        timeout: float | None = None,
        metadata: Any = (),
        **_: Any,
    ) -> metric_service.ListTimeSeriesResponse:
        headers = {"User-Agent": self._user_agent}
        for key, value in metadata or ():
            if key.lower() != "x-goog-request-params":
                headers[key] = value
        response = self._session.get(
            f"{self._base}/v3/{request.name}/timeSeries",
            params=[*query_params(request), ("$alt", "json;enum-encoding=int")],
            headers=headers,
            timeout=timeout,
        )
        if response.status_code >= 400:
            raise core_exceptions.from_http_response(response)
        result = metric_service.ListTimeSeriesResponse()
        json_format.Parse(
            response.content,
            metric_service.ListTimeSeriesResponse.pb(result),
            ignore_unknown_fields=True,
        )
        return result

    def close(self) -> None:
        self._session.close()

    @property
    def kind(self) -> str:
        return "rest"


def register() -> None:
    """Make ``MetricServiceClient(transport="rest")`` use this transport (idempotent)."""
    MetricServiceClient._transport_registry.setdefault("rest", MetricServiceRestTransport)
