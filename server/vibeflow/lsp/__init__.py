"""The VibeFlow language server: diagnostics, hovers, completions, CodeLens and quick fixes for recipes and data.

Entry point: `vibeflow lsp` (see `vibeflow.cli.lsp_cmd`); the wire contract with the extension (custom
notifications, command ids) lives in `vibeflow.lsp.contract` and is documented in docs/language-server.md.
"""
