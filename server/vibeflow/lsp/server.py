"""The pygls 2 language server: holds open documents and their sessions, and owns the LSP handshake.

`VibeFlowProtocol` replaces pygls' built-in text sync with our line store (O(edit) instead of O(file)),
adds `capabilities.experimental.vibeflow` (HTTP URL and token) to the initialize result, and turns `exit`
into a clean stop of the shared event loop instead of `sys.exit` inside a handler.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from vibeflow import __version__
from vibeflow.lsp import contract
from vibeflow.lsp.dataset_session import DatasetContext, DatasetSession, dataset_format
from vibeflow.lsp.debounce import Debouncer
from vibeflow.lsp.documents import UTF8, UTF16, UTF32, DocumentStore, LineDocument
from vibeflow.lsp.guard import report_failure
from vibeflow.lsp.options import Options
from vibeflow.lsp.recipe_session import RecipeSession, is_recipe, uri_path
from vibeflow.lsp.status import StatusReporter

logger = logging.getLogger("vibeflow.lsp")

ENCODINGS = {
    types.PositionEncodingKind.Utf8: UTF8,
    types.PositionEncodingKind.Utf16: UTF16,
    types.PositionEncodingKind.Utf32: UTF32,
}


class VibeFlowProtocol(LanguageServerProtocol):
    """LSP plumbing specific to VibeFlow (see module docstring)."""

    _server: VibeFlowServer

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        self._server.on_initialize(params)
        result = yield from super().lsp_initialize(params)
        server = self._server
        result.capabilities.experimental = contract.experimental_capabilities(server.http_info(), __version__)
        return result

    @lsp_method(types.INITIALIZED)
    def lsp_initialized(self, *args: Any) -> Any:
        yield from super().lsp_initialized(*args)
        self._server.on_initialized()

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> None:
        self._server.request_stop(0 if self._shutdown else 1)

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self._server.did_open(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        self._server.did_change(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        self._server.did_close(params)


class VibeFlowServer(LanguageServer):
    """State of one editor session: documents, per-document sessions, options, HTTP endpoint, status."""

    def __init__(self) -> None:
        super().__init__(
            contract.SERVER_NAME,
            __version__,
            protocol_cls=VibeFlowProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.docs = DocumentStore()
        self.options = Options()
        self.status = StatusReporter(self)
        self.debouncer = Debouncer(self._publish_due)
        self.recipes: dict[str, RecipeSession] = {}
        self.datasets: dict[str, DatasetSession] = {}
        self.http: dict[str, Any] | None = None
        self.http_error: str | None = None
        self.initialize_seen = asyncio.Event()  # set when `initialize` arrives (the HTTP app starts after it)
        self.stop_requested = asyncio.Event()
        self.exit_code = 0
        self._ready_sent = False

    # -- lifecycle ---------------------------------------------------------------------------------------
    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log protocol-level errors to the output channel instead of pygls' pop-up message."""
        report_failure(self, f"protocol ({getattr(source, '__name__', source)})", error)

    def http_info(self) -> dict[str, Any] | None:
        return dict(self.http) if self.http else None

    def on_initialize(self, params: types.InitializeParams) -> None:
        self.options = Options.from_client(params.initialization_options)
        self.initialize_seen.set()

    def on_initialized(self) -> None:
        if self.http_error:
            self.status.base = ("error", "HTTP API failed to start", self.http_error)
        elif self.http is None or self.http.get("ready"):
            self.status.base = ("ready", "VibeFlow ready", None)
        else:
            self.status.base = ("starting", "Starting the VibeFlow API", None)
        self.status.flush()
        if self.status.base[0] == "ready":
            self._send_ready()

    def attach_http(self, url: str, token: str, pid: int) -> None:
        self.http = {"url": url, "token": token, "pid": pid, "ready": False}

    def http_ready(self) -> None:
        if self.http is not None:
            self.http["ready"] = True
        if self.status.enabled:
            self.status.set("ready", "VibeFlow ready")
            self._send_ready()

    def http_failed(self, message: str) -> None:
        self.http_error = message
        if self.status.enabled:
            self.status.set("error", "HTTP API failed to start", message)

    def _send_ready(self) -> None:
        if self._ready_sent or self.http is None:
            return
        self._ready_sent = True
        payload = {k: self.http[k] for k in ("url", "token", "pid")}
        self.protocol.notify(contract.READY, {**payload, "version": __version__})

    def request_stop(self, code: int) -> None:
        self.exit_code = code
        self.stop_requested.set()

    # -- documents ---------------------------------------------------------------------------------------
    def _encoding(self) -> str:
        try:
            return ENCODINGS.get(self.workspace.position_encoding, UTF16)  # type: ignore[arg-type]
        except RuntimeError:
            return UTF16

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        if self.docs.get(item.uri) is not None:  # re-opened without a close: start over
            self.did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(item.uri)))
        try:
            doc = self.docs.open(
                LineDocument.from_text(item.uri, item.version, item.language_id, item.text, self._encoding())
            )
            self._attach(doc)
        except Exception as error:  # noqa: BLE001 - see guard.py
            report_failure(self, f"opening {item.uri}", error)

    def _attach(self, doc: LineDocument) -> None:
        if is_recipe(doc.uri):
            doc.kind = "recipe"
            session = self.recipes[doc.uri] = RecipeSession(self, doc)
            session.refresh()
        elif self._is_dataset(doc.uri):
            doc.kind = "dataset"
            data = self.datasets[doc.uri] = DatasetSession(
                self, doc, self.dataset_context(doc.uri), self.options
            )
            data.start()

    def _is_dataset(self, uri: str) -> bool:
        fmt = dataset_format(uri)
        if fmt == "jsonl":
            return True
        return fmt is not None and self._recipe_of(uri) is not None

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        try:
            doc = self.docs.require(uri)
            dataset = self.datasets.get(uri)
            for change in params.content_changes:
                if isinstance(change, types.TextDocumentContentChangePartial):
                    r = change.range
                    edit = doc.apply(
                        (r.start.line, r.start.character), (r.end.line, r.end.character), change.text
                    )
                else:
                    edit = doc.replace_all(change.text)
                if dataset is not None:
                    dataset.on_edit(edit)
            doc.version = params.text_document.version
            if dataset is not None:
                dataset.schedule_publish()
            elif (recipe := self.recipes.get(uri)) is not None:
                recipe.schedule()
        except Exception as error:  # noqa: BLE001 - see guard.py
            report_failure(self, f"applying an edit to {uri}", error)

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        self.debouncer.cancel(uri)
        self.docs.close(uri)
        self.recipes.pop(uri, None)
        if (dataset := self.datasets.pop(uri, None)) is not None:
            dataset.close()
            self.protocol._send_data(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/publishDiagnostics",
                    "params": {"uri": uri, "diagnostics": []},
                }
            )

    def _publish_due(self, uri: str) -> None:
        try:
            if (dataset := self.datasets.get(uri)) is not None:
                dataset.publish_now()
            elif (recipe := self.recipes.get(uri)) is not None:
                recipe.refresh()
        except Exception as error:  # noqa: BLE001 - see guard.py
            report_failure(self, f"publishing diagnostics of {uri}", error)

    # -- recipe <-> dataset ------------------------------------------------------------------------------
    def referenced_by_recipe(self, uri: str) -> RecipeSession | None:
        target = uri_path(uri).resolve()
        for session in self.recipes.values():
            analysis = session.analysis
            if analysis is not None and analysis.data_path == target:
                return session
        return None

    def _recipe_of(self, uri: str) -> tuple[Any, dict[str, Any], str | None] | None:
        """(recipe, resolved values, recipe uri) of the open — else on-disk — recipe referencing `uri`."""
        session = self.referenced_by_recipe(uri)
        analysis = session.analysis if session else None
        if session is not None and analysis is not None and analysis.recipe is not None and analysis.values:
            return analysis.recipe, analysis.values, session.doc.uri
        if not uri.startswith("file:"):
            return None
        from vibeflow.lsp.disk_recipes import recipe_for

        found = recipe_for(uri_path(uri))
        return (found.recipe, found.values, found.path.as_uri()) if found else None

    def dataset_context(self, uri: str) -> DatasetContext:
        owner = self._recipe_of(uri)
        if owner is None:
            return DatasetContext()
        recipe, values, recipe_uri = owner
        data = recipe.data
        inputs = tuple(data.input_column) if isinstance(data.input_column, list) else data.input_column
        return DatasetContext(
            values["max_seq_length"], recipe.base_model, inputs, data.output_column, recipe_uri
        )

    def recipe_changed(self, session: RecipeSession) -> None:
        """Re-check open datasets whose recipe context changed; pick up CSV/JSON files it now references."""
        for doc in self.docs.all():
            if doc.kind == "recipe":
                continue
            context = self.dataset_context(doc.uri)
            current = self.datasets.get(doc.uri)
            if current is not None and current.context != context:
                current.close()
                del self.datasets[doc.uri]
                current = None
            if current is None and self._is_dataset(doc.uri):
                doc.kind = "dataset"
                fresh = self.datasets[doc.uri] = DatasetSession(self, doc, context, self.options)
                fresh.start()

    async def dataset_stats(
        self, path: Path | None, output_column: str | None = None
    ) -> dict[str, Any] | None:
        """Rows and approximate token lengths of the recipe's data: the open buffer when open, else the file."""
        if path is None:
            return None
        from vibeflow.lsp.dataset_size import data_stats

        for uri, dataset in self.datasets.items():
            if uri_path(uri).resolve() == path:
                await dataset.first_published.wait()
                lines = list(dataset.doc.lines[:2000])
                return await asyncio.to_thread(
                    data_stats, path, dataset.index.record_count(), lines, output_column
                )
        return await asyncio.to_thread(data_stats, path, None, None, output_column)


def create_server() -> VibeFlowServer:
    from vibeflow.lsp.handlers import register

    server = VibeFlowServer()
    register(server)
    return server
