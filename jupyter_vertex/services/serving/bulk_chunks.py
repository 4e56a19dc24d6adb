"""Cut a parsed body's instances, in order, into prediction requests under two limits.

Each request's body is a slice of the original text (the instances exactly as sent, with
their separators) wrapped in ``{"instances": [ … ], "parameters": …}``: nothing is encoded
again, and a request's size is known before it is built.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidArgument
from .predict_input import ParsedBody

__all__ = ["Chunk", "plan_chunks", "request_body"]

_HEAD = b'{"instances":['


@dataclass(frozen=True)
class Chunk:
    """Instances ``start`` (included) to ``stop`` (excluded) of the body."""

    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


def _tail(parameters: Any) -> bytes:
    if parameters is None:
        return b"]}"
    return b'],"parameters":' + json.dumps(parameters, allow_nan=False).encode() + b"}"


def _byte_spans(body: ParsedBody) -> list[tuple[int, int]]:
    """The instances' spans in bytes of UTF-8 (the same as in characters for ASCII)."""
    if body.ascii:
        return body.spans
    out = []
    position = last = 0
    for begin, end in body.spans:
        position += len(body.text[last:begin].encode())
        start = position
        position += len(body.text[begin:end].encode())
        out.append((start, position))
        last = end
    return out


def compact(body: ParsedBody) -> ParsedBody:
    """The body without its text: the instances' byte offsets (begin, end, begin, …) as one
    array, cheap to send between processes. The caller sets ``raw`` (the bytes parsed)."""
    offsets = array("q")
    for begin, end in _byte_spans(body):
        offsets.append(begin)
        offsets.append(end)
    return ParsedBody(text="", count=body.count, fields=body.fields, offsets=offsets)


def _begins_ends(body: ParsedBody) -> tuple[Sequence[int], Sequence[int]]:
    if body.offsets is not None:
        return body.offsets[0::2], body.offsets[1::2]
    spans = _byte_spans(body)
    return [b for b, _ in spans], [e for _, e in spans]


def plan_chunks(
    body: ParsedBody, *, max_bytes: int, max_instances: int, parameters: Any = None
) -> list[Chunk]:
    """Consecutive chunks, each at most ``max_instances`` instances and ``max_bytes`` bytes
    of request body. One instance bigger than ``max_bytes`` on its own is refused."""
    overhead = len(_HEAD) + len(_tail(parameters))
    begins, ends = _begins_ends(body)
    chunks: list[Chunk] = []
    start = 0
    for i in range(len(begins)):
        begin, end = begins[i], ends[i]
        # The request holds the text from the first instance's start to this one's end.
        size = end - begins[start]
        if i > start and (i - start >= max_instances or size + overhead > max_bytes):
            chunks.append(Chunk(start, i))
            start = i
            size = end - begin
        if size + overhead > max_bytes:
            raise InvalidArgument(
                f"Field 'instances[{i}]' alone makes a request of {size + overhead} bytes, over "
                f"maxRequestBytes ({max_bytes})."
            )
    if start < len(begins):
        chunks.append(Chunk(start, len(begins)))
    return chunks


def request_body(body: ParsedBody, chunk: Chunk, parameters: Any = None) -> bytes:
    """The JSON request of one chunk."""
    if body.offsets is not None and body.raw is not None:
        begin, end = body.offsets[2 * chunk.start], body.offsets[2 * chunk.stop - 1]
        return _HEAD + body.raw[begin:end] + _tail(parameters)
    begin = body.spans[chunk.start][0]
    end = body.spans[chunk.stop - 1][1]
    return _HEAD + body.text[begin:end].encode() + _tail(parameters)
