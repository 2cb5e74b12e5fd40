"""One open `vibeflow.yaml`: validates it, computes advice and findings, and publishes its diagnostics.

Analysis runs after a short debounce; its result (outline, recipe, resolved values, advice, findings) is
kept so hovers, CodeLens and quick fixes answer from it without re-validating on every request.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.uris import to_fs_path

from vibeflow.lsp import publish, recipe_checks
from vibeflow.lsp.dataset_rows import Issue
from vibeflow.lsp.documents import LineDocument
from vibeflow.lsp.yaml_outline import Outline, parse

if TYPE_CHECKING:
    from vibeflow.lsp.advice import RecipeAdvice
    from vibeflow.lsp.server import VibeFlowServer

RECIPE_NAMES = ("vibeflow.yaml", "vibeflow.yml")


def is_recipe(uri: str) -> bool:
    return any(uri.endswith("/" + name) for name in RECIPE_NAMES)


def uri_path(uri: str) -> Path:
    return Path(to_fs_path(uri) or uri.removeprefix("file://"))


@dataclass
class Analysis:
    version: int
    outline: Outline
    recipe: Any = None
    raw: Any = None
    values: dict[str, Any] | None = None
    findings: list[recipe_checks.Finding] = field(default_factory=list)
    advice: RecipeAdvice | None = None
    rows: int | None = None
    data_path: Path | None = None
    cuda: bool = False
    device: str = "cpu"

    @property
    def problems(self) -> int:
        return sum(1 for f in self.findings if f.severity == 1)


def _device(recipe: Any, hardware: Any) -> str:
    if recipe.compute.target == "cloud":
        return recipe.compute.gpu or "A100-80GB"
    if hardware.gpus:
        name = hardware.gpus[0].name
        try:
            from vibeflow.recommend.catalog import find_gpu

            for candidate in (name, name.removeprefix("NVIDIA ").split(" ")[0]):
                with contextlib.suppress(Exception):
                    return find_gpu(candidate).id
        except ImportError:
            pass
        return name
    return "cpu"


class RecipeSession:
    """State of one open recipe document."""

    def __init__(self, server: VibeFlowServer, doc: LineDocument) -> None:
        self.server = server
        self.doc = doc
        self.folder = uri_path(doc.uri).parent
        self.analysis: Analysis | None = None
        self._outline: tuple[int, Outline] | None = None
        self._task: asyncio.Task[None] | None = None

    def outline(self) -> Outline:
        if self._outline is None or self._outline[0] != self.doc.version:
            self._outline = (self.doc.version, parse(self.doc.lines))
        return self._outline[1]

    def schedule(self) -> None:
        self.server.debouncer.schedule(self.doc.uri, self.server.options.recipe_debounce_ms / 1000)

    def refresh(self) -> None:
        """Start a new analysis (the previous one, if still running, is superseded)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = asyncio.create_task(self._analyze_and_publish())

    async def current(self) -> Analysis | None:
        """The analysis of the document as it is now (re-analysing at once if an edit is still debounced)."""
        if self.analysis is None or self.analysis.version != self.doc.version:
            running = self._task is not None and not self._task.done()
            if not running:
                self.server.debouncer.cancel(self.doc.uri)
                self.refresh()
        result = await self.wait()
        return result if result is not None and result.version == self.doc.version else self.analysis

    async def wait(self) -> Analysis | None:
        if self._task is not None and not self._task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.analysis

    async def _analyze_and_publish(self) -> None:
        try:
            analysis = await self.analyze()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - a malformed recipe must never take the server down
            from vibeflow.lsp.guard import report_failure

            report_failure(self.server, "checking vibeflow.yaml", error)
            return
        self.analysis = analysis
        self.publish()
        self.server.recipe_changed(self)

    async def analyze(self) -> Analysis:
        import yaml

        from vibeflow.lsp import advice as adv
        from vibeflow.lsp import hardware
        from vibeflow.recipe.loader import validate_text
        from vibeflow.recipe.presets import resolve_training

        version, lines = self.doc.version, list(self.doc.lines)
        text = "\n".join(lines)
        outline = parse(lines)
        analysis = Analysis(version, outline)
        recipe, issues = validate_text(text, str(uri_path(self.doc.uri)))
        analysis.findings = recipe_checks.schema_findings(issues, outline, lines)
        try:
            analysis.raw = yaml.safe_load(text)
        except yaml.YAMLError:
            analysis.raw = None
        if isinstance(analysis.raw, dict):
            analysis.findings += recipe_checks.data_path_findings(analysis.raw, outline, self.folder)
            data = analysis.raw.get("data")
            if isinstance(data, dict) and isinstance(data.get("path"), str):
                analysis.data_path = (self.folder / data["path"]).resolve()
        if recipe is None:
            return analysis
        analysis.recipe = recipe
        analysis.values = resolve_training(recipe)
        stats = await self.server.dataset_stats(analysis.data_path, recipe.data.output_column)
        analysis.rows = int(stats["rows"]) if stats else None
        if stats is None and analysis.data_path is not None:
            from vibeflow.lsp.dataset_size import read_error

            error = await asyncio.to_thread(read_error, analysis.data_path)
            analysis.findings += recipe_checks.data_read_findings(error, outline)
        hw = await asyncio.to_thread(hardware.detect)
        analysis.cuda = hw.cuda
        analysis.device = _device(recipe, hw)
        analysis.advice = await asyncio.to_thread(adv.advise, recipe, analysis.values, stats, analysis.device)
        analysis.findings += recipe_checks.semantic_findings(
            recipe, analysis.values, analysis.advice, outline, analysis.cuda
        )
        return analysis

    def publish(self) -> None:
        analysis = self.analysis
        if analysis is None:
            return
        items = [
            (f.line, Issue(f.code, f.message, f.severity, f.start, f.end, {"fixes": len(f.fixes)}))
            for f in analysis.findings
        ]
        diagnostics = publish.build(self.doc, items, len(items), len(items))
        publish.send(self.server, self.doc.uri, analysis.version, diagnostics)
