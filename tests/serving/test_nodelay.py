"""Every server we run answers small requests without Nagle's algorithm: a response's body written after its
headers would otherwise wait ~40 ms for the client's delayed ACK (this once doubled the gateway's latency)."""

from __future__ import annotations

import asyncio
import socket
import threading
import urllib.request
from types import SimpleNamespace

import pytest

from vibeflow.host import bind_loopback
from vibeflow.serving.gateway_host import bind


def _nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


async def _accepted_socket_nodelay(listening: socket.socket) -> bool:
    """Serve `listening` with asyncio (as uvicorn does) and report TCP_NODELAY on the accepted connection."""
    seen: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            seen.set_result(_nodelay(transport.get_extra_info("socket")))
            transport.close()

    listening.listen(8)
    server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
    port = listening.getsockname()[1]
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return await asyncio.wait_for(seen, 5)
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    "make_socket",
    [lambda: bind("127.0.0.1", 0, False), lambda: bind_loopback("127.0.0.1", 0)],
    ids=["gateway", "api"],
)
def test_asyncio_servers_accept_connections_with_nodelay(make_socket) -> None:
    assert asyncio.run(_accepted_socket_nodelay(make_socket())) is True


def test_cpu_engine_connections_have_nodelay() -> None:
    from vibeflow_trainer.serve.http import EngineServer, Handler

    seen: list[bool] = []

    class Recording(Handler):
        def setup(self) -> None:
            super().setup()
            seen.append(_nodelay(self.connection))

    server = EngineServer(("127.0.0.1", 0), SimpleNamespace(names=["m"]))
    server.RequestHandlerClass = Recording
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as answer:
            assert answer.status == 200
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [True]
