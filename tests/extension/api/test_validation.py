"""Bad input is a 400 that names the field, never a 500 or a traceback (through HTTP).

Validation happens before any call to Vertex, so these tests need no embedded Vertex.
"""

from __future__ import annotations

import json
from typing import Any

import pytest


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        (("models",), {"pageSize": "0"}, "Parameter 'pageSize' must be between 1 and 1000."),
        (("models",), {"pageSize": "1001"}, "Parameter 'pageSize' must be between 1 and 1000."),
        (("endpoints",), {"pageSize": "-5"}, "Parameter 'pageSize' must be between 1 and 1000."),
        (("models",), {"pageSize": "ten"}, "Parameter 'pageSize' must be an integer."),
        (("models",), {"pageSize": "1.5"}, "Parameter 'pageSize' must be an integer."),
        (
            ("models",),
            {"orderBy": "x" * 257},
            "Parameter 'orderBy' is too long (at most 256 characters).",
        ),
        (
            ("models", "12", "versions"),
            {"pageSize": "0"},
            "Parameter 'pageSize' must be between 1 and 1000.",
        ),
        (("models", "not!valid"), {}, "'not!valid' is not a valid modelId."),
        (("models", "12@"), {}, "'12@' is not a valid modelId."),
        (("models", "1@2", "versions"), {}, "'1@2' is not a valid modelId."),
        (("endpoints", "Bad_Id"), {}, "'Bad_Id' is not a valid endpointId."),
        (("endpoints", "1" * 21), {}, f"'{'1' * 21}' is not a valid endpointId."),
    ],
)
async def test_bad_parameters(
    api: Any, path: tuple[str, ...], params: dict[str, str], message: str
) -> None:
    status, body = await api("GET", *path, params=params)
    assert (status, body) == (400, {"message": message, "reason": "INVALID_ARGUMENT", "hint": None})


async def test_repeated_parameter(
    http_server_client: Any, jp_auth_header: dict[str, str], jp_base_url: str, vertex_app: Any
) -> None:
    url = jp_base_url + "jupyter-vertex/api/models?pageSize=1&pageSize=2"
    response = await http_server_client.fetch(url, headers=jp_auth_header, raise_error=False)
    assert response.code == 400
    body = json.loads(response.body)
    assert body["message"] == "Parameter 'pageSize' is given more than once."


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "The request body must be a JSON object."),
        (b"{not json", None),
        (b"[]", "Field 'body' must be of type object."),
        (b'"x"', "Field 'body' must be of type object."),
        (b"{}", "Field 'displayName' is required."),
        (b'{"displayName": 5}', "Field 'displayName' must be of type string."),
        (b'{"displayName": ""}', None),
        (b'{"displayName": "   "}', None),
        (b'{"displayName": "' + b"x" * 129 + b'"}', None),
        (
            b'{"displayName": "a", "color": "red"}',
            "Unknown field 'color'; allowed: description, displayName, labels.",
        ),
        (b'{"displayName": "a", "labels": []}', "Field 'labels' must be of type object."),
        (
            b'{"displayName": "a", "labels": {"team": 1}}',
            "Field 'labels.team' must be of type string.",
        ),
        (b'{"displayName": "a", "labels": {"Team": "x"}}', None),
        (b'{"displayName": "a", "labels": {"team": "UPPER"}}', None),
        (
            b'{"displayName": "a", "description": null}',
            "Field 'description' must be of type string.",
        ),
    ],
)
async def test_bad_create_bodies(api: Any, payload: bytes, message: str | None) -> None:
    status, body = await api("POST", "endpoints", raw_body=payload)
    assert status == 400, body
    assert body["reason"] == "INVALID_ARGUMENT"
    if message is not None:
        assert body["message"] == message
    else:
        assert body["message"]
    assert "Traceback" not in body["message"]


async def test_field_named_in_range_errors(api: Any) -> None:
    status, body = await api("POST", "endpoints", body={"displayName": "x" * 129})
    assert status == 400
    assert body["message"].startswith("Field 'displayName' is invalid: ")
    status, body = await api(
        "POST", "endpoints", body={"displayName": "a", "labels": {"Team": "x"}}
    )
    assert body["message"] == "Field 'labels' has an invalid key: 'Team'."
    status, body = await api(
        "POST", "endpoints", body={"displayName": "a", "labels": {f"k{i}": "v" for i in range(65)}}
    )
    assert body["message"].startswith("Field 'labels' is invalid: ")


async def test_body_too_large(api: Any) -> None:
    status, body = await api(
        "POST", "endpoints", body={"displayName": "a", "description": "x" * 70_000}
    )
    assert status == 400
    assert body["message"].startswith("The request body is too large (")
    assert body["message"].endswith("the limit is 65536 bytes).")


@pytest.mark.parametrize("kind", ["models", "endpoints"])
async def test_empty_patch(api: Any, kind: str) -> None:
    status, body = await api("PATCH", kind, "12", body={})
    assert (status, body["message"]) == (400, "The request body must set at least one field.")
    status, body = await api("PATCH", kind, "12", body={"name": "x"})
    assert (status, body["message"]) == (
        400,
        "Unknown field 'name'; allowed: description, displayName, labels.",
    )


async def test_unknown_api_path_is_a_json_404(api: Any) -> None:
    status, body = await api("GET", "nothing", "here", check=False)
    assert status == 404
    assert body["reason"] == "NOT_FOUND"
    assert body["message"].endswith("/jupyter-vertex/api/nothing/here")


async def test_unsupported_method_is_405_with_allow(jp_fetch: Any, vertex_app: Any) -> None:
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-vertex", "api", "status", method="PUT", body=b"{}")
    response = info.value.response
    assert response is not None and response.code == 405
    assert response.headers["Allow"] == "GET"
    assert json.loads(response.body)["reason"] == "METHOD_NOT_ALLOWED"
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyter-vertex", "api", "models", "7", method="POST", body=b"{}")
    response = info.value.response
    assert response is not None and response.headers["Allow"] == "GET, PATCH, DELETE"


async def test_unreachable_emulator_is_503_not_500(api: Any) -> None:
    """The configured external embedded Vertex (port 9) does not answer."""
    status, body = await api("GET", "models")
    assert status == 503
    assert body["reason"] == "UNAVAILABLE"


def test_remembered_valid_values_never_let_an_invalid_one_through() -> None:
    from jupyter_vertex.api.validation import VALID_CACHE, operation
    from jupyter_vertex.errors import InvalidArgument

    predict = operation("/endpoints/{endpointId}/predict", "post")
    good = b'{"instances": [[1, 2]], "parameters": {"k": 1}}'
    for _ in range(3):  # the second and third answers come from the memo: the same data
        assert predict.path_args({"endpointId": "123"}) == {"endpointId": "123"}
        assert predict.body(good) == {"instances": [[1, 2]], "parameters": {"k": 1}}
    for _ in range(2):  # an invalid one is checked, and refused, every time
        with pytest.raises(InvalidArgument, match="'Bad_Id' is not a valid endpointId."):
            predict.path_args({"endpointId": "Bad_Id"})
        with pytest.raises(InvalidArgument):
            predict.body(b'{"instances": "not a list"}')
    for n in range(VALID_CACHE + 5):  # the memo stays bounded
        predict.path_args({"endpointId": str(1000 + n)})
    assert len(predict._valid) <= VALID_CACHE
