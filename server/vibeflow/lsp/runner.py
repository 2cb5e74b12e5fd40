"""Runs the language server on stdio inside an asyncio loop we own, alone or beside the HTTP API.

pygls' `start_io` calls `asyncio.run` itself; to share one loop with uvicorn we drive its stdio reader
(`pygls.io_.run_async`) as a task and stop on `exit`, end of input, or the editor process disappearing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import BinaryIO

from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async

from vibeflow.lsp.server import VibeFlowServer, create_server

logger = logging.getLogger("vibeflow.lsp")
PARENT_CHECK_S = 5.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _watch_parent(server: VibeFlowServer) -> None:
    """Stop when the editor that started us is gone (it cannot send `exit` any more)."""
    while True:
        await asyncio.sleep(PARENT_CHECK_S)
        if server.process_id and not _alive(server.process_id):
            logger.warning("editor process %s is gone; stopping", server.process_id)
            server.request_stop(1)
            return


async def serve_stdio(server: VibeFlowServer, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serve LSP over the given streams until `exit` or end of input; returns the exit code."""
    server.protocol.set_writer(StdoutWriter(stdout))
    stop = threading.Event()
    reader = StdinAsyncReader(stdin, server.thread_pool)
    reading = asyncio.create_task(
        run_async(
            stop_event=stop,
            reader=reader,
            protocol=server.protocol,
            logger=logger,
            error_handler=server.report_server_error,
        )
    )
    stopping = asyncio.create_task(server.stop_requested.wait())
    watching = asyncio.create_task(_watch_parent(server))
    done, _ = await asyncio.wait({reading, stopping, watching}, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    for task in (reading, stopping, watching):
        task.cancel()
    if reading in done and not server.stop_requested.is_set():
        return 0 if server.protocol._shutdown else 1
    return server.exit_code


async def _main(stdin: BinaryIO, stdout: BinaryIO, http: bool, host: str, port: int) -> int:
    server = create_server()
    if not http:
        return await serve_stdio(server, stdin, stdout)
    from vibeflow.host import HttpSlot, serve_beside, session_token
    from vibeflow.settings import load_settings

    started = False

    async def foreground(slot: HttpSlot) -> int:
        nonlocal started
        started = True
        server.attach_http(slot.endpoint.url, slot.endpoint.token, slot.endpoint.pid)
        slot.on_ready = lambda _endpoint: server.http_ready()
        slot.on_error = server.http_failed
        return await serve_stdio(server, stdin, stdout)

    from vibeflow.errors import VibeFlowError

    try:
        return await serve_beside(
            load_settings(), host, port, session_token(), foreground, start_after=server.initialize_seen
        )
    except VibeFlowError as error:  # the socket could not be bound: editor features still work without it
        if started:
            raise
        server.http_failed(f"{error.message} (fix: {error.fix})" if error.fix else error.message)
        return await serve_stdio(server, stdin, stdout)


def run(
    stdin: BinaryIO, stdout: BinaryIO, *, http: bool = True, host: str = "127.0.0.1", port: int = 0
) -> int:
    return asyncio.run(_main(stdin, stdout, http, host, port))
