/**
 * The HTML shell of every webview: a strict Content-Security-Policy (scripts only with this page's nonce,
 * styles and images only from the extension), the bundled script and stylesheet, nothing inline.
 */

export interface ShellOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  title: string;
  /** The bundle's name (data-view on <body>, for tests and styles). */
  view: string;
}

export function makeNonce(random: (size: number) => Uint8Array): string {
  return Buffer.from(random(24)).toString("base64").replace(/[^A-Za-z0-9]/g, "");
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
}

export function shellHtml(options: ShellOptions): string {
  const styles = options.styleUris
    .map((uri) => `<link rel="stylesheet" href="${escapeAttr(uri)}">`)
    .join("\n    ");
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(options.cspSource, options.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeAttr(options.title)}</title>
  </head>
  <body data-view="${escapeAttr(options.view)}">
    <main id="app" data-testid="${escapeAttr(options.view)}-root"><p class="muted">Loading…</p></main>
    <script nonce="${escapeAttr(options.nonce)}" src="${escapeAttr(options.scriptUri)}"></script>
  </body>
</html>`;
}
