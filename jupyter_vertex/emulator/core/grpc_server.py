"""The embedded Vertex's gRPC port: the Google client libraries' default transport.

A grpc.aio server on the emulator's own event loop, over TLS with the data dir's
certificate (:mod:`.tls`). It knows no method: one generic handler looks each called method
up in the :class:`.grpc_transcoding.Transcoder` and passes the request's bytes through it, so
every route served over HTTP is served over gRPC with the same code. A method no route
answers gets gRPC's own UNIMPLEMENTED; streaming methods are not served.
"""

from __future__ import annotations

import logging
from typing import Any

import grpc
from grpc import aio

from .errors import ApiError
from .grpc_transcoding import Method, Transcoder

log = logging.getLogger(__name__)


class GrpcServer:
    def __init__(self, transcoder: Transcoder, *, max_message: int) -> None:
        self.transcoder = transcoder
        self.max_message = max_message
        self._server: aio.Server | None = None
        self.port = 0

    async def start(self, host: str, port: int, cert_pem: bytes, key_pem: bytes) -> int:
        """Listen on ``host:port`` (0: any free port); answers the port."""
        server = aio.server(
            options=[
                ("grpc.max_receive_message_length", self.max_message),
                ("grpc.max_send_message_length", -1),
                ("grpc.so_reuseport", 0),  # a taken port must fail, not be shared
            ]
        )
        server.add_generic_rpc_handlers((_Handler(self.transcoder),))
        credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)])
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        try:
            bound = server.add_secure_port(address, credentials)
        except RuntimeError as error:  # grpc's "Failed to bind"
            raise OSError(f"cannot listen for gRPC on {address}: {error}") from None
        if not bound:
            raise OSError(f"cannot listen for gRPC on {address}")
        await server.start()
        self.port = bound
        self._server = server
        return self.port

    async def stop(self, grace: float) -> None:
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None


class _Handler(grpc.GenericRpcHandler):
    def __init__(self, transcoder: Transcoder) -> None:
        self.transcoder = transcoder

    def service(self, handler_call_details: Any) -> grpc.RpcMethodHandler | None:
        method = self.transcoder.method(handler_call_details.method)
        if method is None:
            return None  # gRPC answers UNIMPLEMENTED ("Method not found!")
        return grpc.unary_unary_rpc_method_handler(_unary(self.transcoder, method))


def _unary(transcoder: Transcoder, method: Method) -> Any:
    async def answer(payload: bytes, context: aio.ServicerContext[bytes, bytes]) -> bytes:
        metadata = {
            key: value
            for key, value in context.invocation_metadata() or ()
            if isinstance(value, str)
        }
        try:
            return await transcoder.call(method, payload, metadata)
        except ApiError as error:
            await context.abort(grpc.StatusCode[error.status], error.message)
            raise  # abort raises; this line is never reached

    return answer
