"""Units of the serving API: traffic shares equal the SDK's own, request planning, body reading,
operation JSON. (The routes themselves are tested through HTTP in test_serving_*.py.)"""

from __future__ import annotations

import json
import pickle
import random
from typing import Any

import pytest
from google.cloud.aiplatform import Endpoint
from google.longrunning import operations_pb2

from jupyter_vertex.errors import InvalidArgument
from jupyter_vertex.services.operations import operation_to_json
from jupyter_vertex.services.serving.bulk_chunks import compact, plan_chunks, request_body
from jupyter_vertex.services.serving.deploy_traffic import split_with_new_model, split_without_model
from jupyter_vertex.services.serving.predict_input import parse_body, parse_whole


def _random_split(rng: random.Random, n: int) -> dict[str, int]:
    cuts = sorted(rng.randint(0, 100) for _ in range(n - 1))
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    return {str(1000 + i): share for i, share in enumerate(shares)}


def test_traffic_shares_are_the_sdks() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible cases, not secrets
    for _ in range(500):
        current = _random_split(rng, rng.randint(1, 5))
        percent = rng.randint(0, 100)
        assert split_with_new_model(current, percent) == Endpoint._allocate_traffic(
            current, percent
        )
        leaving = rng.choice(list(current))
        if current[leaving] == 100 and len(current) > 1:
            continue  # the SDK and the extension both refuse this one
        expected = Endpoint._unallocate_traffic(current, leaving)
        expected.pop(leaving)
        assert split_without_model(current, leaving) == expected
    assert split_with_new_model({}, 100) == {"0": 100}
    assert split_with_new_model({"7": 100}, 30) == {"7": 70, "0": 30}
    assert split_without_model({"7": 70, "8": 30}, "8") == {"7": 100}


def test_chunks_keep_order_and_both_limits() -> None:
    rows = [[i, i + 0.5] for i in range(1000)]
    body = parse_body(json.dumps({"instances": rows}).encode())
    chunks = plan_chunks(body, max_bytes=1024, max_instances=30)
    assert [c.start for c in chunks] == [0, *[c.stop for c in chunks[:-1]]]
    assert chunks[-1].stop == 1000
    rebuilt = []
    for chunk in chunks:
        data = request_body(body, chunk)
        assert len(data) <= 1024 and chunk.size <= 30
        rebuilt += json.loads(data)["instances"]
    assert rebuilt == rows
    # Fewer, fuller requests when only the instance count limits.
    assert [c.size for c in plan_chunks(body, max_bytes=10**6, max_instances=400)] == [
        400,
        400,
        200,
    ]


def test_chunk_sizes_count_utf8_bytes_and_parameters() -> None:
    rows = [["é" * 100] for _ in range(20)]
    body = parse_body(json.dumps({"instances": rows}, ensure_ascii=False).encode())
    params = {"threshold": 0.5}
    chunks = plan_chunks(body, max_bytes=700, max_instances=100, parameters=params)
    for chunk in chunks:
        data = request_body(body, chunk, params)
        assert len(data) <= 700
        assert json.loads(data) == {
            "instances": rows[chunk.start : chunk.stop],
            "parameters": params,
        }
    assert sum(c.size for c in chunks) == 20
    with pytest.raises(InvalidArgument) as refused:
        plan_chunks(body, max_bytes=100, max_instances=100)
    assert refused.value.message == (
        "Field 'instances[0]' alone makes a request of 220 bytes, over maxRequestBytes (100)."
    )


def test_the_compact_body_makes_the_same_requests_from_the_bytes_as_sent() -> None:
    # What the helper process answers for big bulk bodies: byte offsets over the raw body.
    rows = [["é" * (i % 7), i, "ü"] for i in range(300)]
    raw = json.dumps({"instances": rows, "x": "ß"}, ensure_ascii=False).encode()
    body = parse_body(raw, keep=False)
    small = compact(body)
    assert (small.text, small.spans, small.count, small.fields) == ("", [], 300, {"x": "ß"})
    small.raw = raw
    params = {"t": "ø"}
    chunks = plan_chunks(body, max_bytes=500, max_instances=40, parameters=params)
    assert plan_chunks(small, max_bytes=500, max_instances=40, parameters=params) == chunks
    assert len(chunks) > 5
    for chunk in chunks:
        assert request_body(small, chunk, params) == request_body(body, chunk, params)
    assert pickle.loads(pickle.dumps(small)) == small  # noqa: S301 - our own bytes


BAD_BODIES = [
    (b"[1, 2]", "The request body must be a JSON object with 'instances'."),
    (
        b'{"instances": [1]} x',
        "The request body is not valid JSON: extra data after the object.",
    ),
    (b"\xff", "The request body is not UTF-8 text: invalid start byte."),
    (
        b'{"instances": [1], "parameters": NaN}',
        "Field 'parameters': NaN is not a number JSON allows (nor are NaN, Infinity and "
        "-Infinity); send finite numbers, or null for a missing value.",
    ),
    (
        b'{"instances": [[1, 2], [3, -Infinity]]}',
        "Field 'instances[1]': -Infinity is not a number JSON allows (nor are NaN, Infinity "
        "and -Infinity); send finite numbers, or null for a missing value.",
    ),
    (
        b'{"instances": [[1, 2], 3]}',
        "Field 'instances[1]' is a number but 'instances[0]' is a list: all instances need "
        "the same form.",
    ),
    (
        b'{"instances": [[1, 2], [3, 4, 5]]}',
        "Field 'instances[1]' has 3 values but 'instances[0]' has 2: a ragged array (every "
        "instance needs the same number of features).",
    ),
    (
        b'{"instances": [[1, 2], [3, "4"]]}',
        "Field 'instances[1][1]' is the string '4' where 'instances[0][1]' is a number: send "
        "numbers, not strings.",
    ),
    (b'{"instances": []}', "Field 'instances' must not be empty: send at least one instance."),
    (b'{"parameters": {}}', "Field 'instances' is required."),
]


def test_body_fields_and_spans() -> None:
    raw = b' {"parameters": {"k": [1, 2]}, "instances" : [ {"a": 1} , {"a": 2}] } '
    body = parse_body(raw, keep=True)
    assert body.count == 2 and body.instances == [{"a": 1}, {"a": 2}]
    assert body.fields == {"parameters": {"k": [1, 2]}}
    assert [body.text[a:b] for a, b in body.spans] == ['{"a": 1}', '{"a": 2}']
    assert not body.as_sent


def test_an_online_body_read_whole_is_sent_as_it_came() -> None:
    raw = b' {"parameters": {"k": [1, 2]}, "instances" : [ [1, 2.5] , [3, 4]] } '
    body = parse_whole(raw)
    assert (body.count, body.fields, body.raw, body.as_sent) == (
        2,
        {"parameters": {"k": [1, 2]}},
        raw,
        True,
    )


@pytest.mark.parametrize("parse", [parse_body, parse_whole], ids=["by-instance", "whole"])
@pytest.mark.parametrize(("bad", "message"), BAD_BODIES)
def test_bad_bodies_are_named_the_same_either_way(parse: Any, bad: bytes, message: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        parse(bad)
    assert refused.value.message == message


def test_operation_json_of_a_finished_deploy() -> None:
    from google.cloud.aiplatform_v1 import DeployedModel, DeployModelResponse
    from google.cloud.aiplatform_v1.types import endpoint_service

    name = "projects/1/locations/us-central1/endpoints/55/operations/9"
    operation = operations_pb2.Operation(name=name, done=True)
    operation.metadata.Pack(
        endpoint_service.DeployModelOperationMetadata.pb(
            endpoint_service.DeployModelOperationMetadata()
        )
    )
    operation.response.Pack(
        DeployModelResponse.pb(DeployModelResponse(deployed_model=DeployedModel(id="77")))
    )
    assert operation_to_json(operation) == {
        "name": name,
        "done": True,
        "error": None,
        "kind": "deploy",
        "target": "55",
        "metadata": {
            "@type": "type.googleapis.com/google.cloud.aiplatform.v1.DeployModelOperationMetadata"
        },
        "result": {"deployedModelId": "77"},
    }
    failed = operations_pb2.Operation(name=name, done=True)
    failed.error.code = 9
    failed.error.message = "no"
    assert operation_to_json(failed)["error"] == {"code": 9, "message": "no"}
    assert operation_to_json(failed)["kind"] == "other"
