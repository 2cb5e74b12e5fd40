// Drives a real VS Code (code-server in Debian's Chromium via playwright-core): the few gestures a user makes.
// Kept free of VibeFlow specifics so that scenarios read like the user's steps.
import { appendFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const codeServerDir = process.env.VIBEFLOW_CODE_SERVER_DIR || path.join(repo, '.e2e', 'code-server');

/** playwright-core from the code-server install folder: it ships no browser and never downloads one. */
function loadPlaywright() {
  const require = createRequire(path.join(codeServerDir, 'package.json'));
  return require('playwright-core');
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export class VSCode {
  /** @param {{url: string, artifacts: string, headed?: boolean, slowMo?: number}} opts */
  static async open(opts) {
    const { chromium } = loadPlaywright();
    mkdirSync(opts.artifacts, { recursive: true });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: !opts.headed,
      slowMo: opts.slowMo || 0,
      args: CHROMIUM_ARGS,
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    const vs = new VSCode(browser, page, opts.artifacts);
    page.on('console', (m) => vs.log(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => vs.log(`[pageerror] ${e.message}`));
    await page.goto(opts.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: 120_000 });
    return vs;
  }

  constructor(browser, page, artifacts) {
    this.browser = browser;
    this.page = page;
    this.artifacts = artifacts;
    this.shots = [];
  }

  log(line) {
    appendFileSync(path.join(this.artifacts, 'browser-console.log'), `${new Date().toISOString()} ${line}\n`);
  }

  async close() {
    await this.browser.close().catch(() => {});
  }

  async screenshot(name) {
    const file = path.join(this.artifacts, `${name}.png`);
    await this.page.screenshot({ path: file });
    this.shots.push(file);
    return file;
  }

  /** A screenshot of one element (e.g. a chart inside a webview), beside the full-page ones. */
  async elementShot(locator, name) {
    const file = path.join(this.artifacts, `${name}.png`);
    await locator.scrollIntoViewIfNeeded().catch(() => {});
    await locator.screenshot({ path: file });
    this.shots.push(file);
    return file;
  }

  /** Hides the bottom panel (Problems, Output…) so a webview gets the whole editor height. */
  async hidePanel() {
    if (await this.page.locator('#workbench\\.parts\\.panel').isVisible().catch(() => false)) {
      await this.command('View: Hide Panel', { optional: true });
    }
  }

  /** Dismisses notifications toasts so they do not cover what we click. */
  async clearNotifications() {
    await this.command('Notifications: Clear All Notifications', { optional: true });
  }

  /**
   * F1 → type → click the row whose label contains `title`. Retries until `timeout`: right after start-up
   * the palette may not list an extension's commands yet.
   */
  async command(title, { optional = false, timeout = 30_000 } = {}) {
    const page = this.page;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const deadline = Date.now() + (optional ? 3_000 : timeout);
    for (;;) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        await input.fill(`>${title}`);
        await row.waitFor({ state: 'visible', timeout: 3_000 });
        break;
      } catch (e) {
        if (Date.now() < deadline) {
          // The workbench may still be restoring focus or loading extensions: click into it, try again.
          await page.keyboard.press('Escape');
          await page.locator('#workbench\\.parts\\.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => {});
          await page.waitForTimeout(1_000);
          continue;
        }
        if (!optional) {
          const rows = await page.locator('.quick-input-list .monaco-list-row').allTextContents();
          this.log(`palette rows for "${title}": ${JSON.stringify(rows)}`);
          await this.screenshot('palette-not-found').catch(() => {});
        }
        await page.keyboard.press('Escape');
        if (optional) return false;
        throw new Error(`command not found in the palette: "${title}" (${e.message.split('\n')[0]})`);
      }
    }
    await row.click();
    await input.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
    return true;
  }

  /** Waits for a status bar entry containing `text` (e.g. an extension's status item once it activated). */
  async statusBarItem(text, { timeout = 120_000, until = () => true } = {}) {
    const item = this.page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: text }).first();
    const deadline = Date.now() + timeout;
    await item.waitFor({ state: 'visible', timeout });
    for (;;) {
      const label = ((await item.getAttribute('aria-label')) || (await item.textContent()) || '').trim();
      if (until(label) || Date.now() > deadline) return label;
      await this.page.waitForTimeout(500);
    }
  }

  /** Answers an open quick pick / input box: types `text` (if any) and picks the matching row or presses Enter. */
  async answerQuickInput(text, { pick } = {}) {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    try {
      await input.waitFor({ state: 'visible', timeout: 30_000 });
    } catch {
      const toasts = await this.page.locator('.notification-toast').allTextContents();
      throw new Error(`expected a quick pick${pick ? ` offering ${pick}` : ''}; none opened (notifications: ${JSON.stringify(toasts)})`);
    }
    if (text !== undefined) await input.fill(text);
    if (pick) {
      await this.page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().click();
    } else {
      await this.page.keyboard.press('Enter');
    }
  }

  /** Opens a workspace file through Quick Open (Ctrl+P), as a user would. */
  async openFile(relPath) {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(relPath);
    const base = path.basename(relPath);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first().waitFor({ timeout: 30_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator(`.tab[data-resource-name="${base}"]`).first().waitFor({ timeout: 30_000 });
    await this.page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
  }

  /** Text of the active editor, read through the DOM (visible lines only; fine for short files). */
  async editorText() {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-line');
    const all = await lines.evaluateAll((els) =>
      els
        .map((e) => ({ top: parseFloat(e.style.top || '0'), text: e.textContent || '' }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text.replace(/\u00a0/g, ' ')),
    );
    return all.join('\n');
  }

  async gotoLine(line) {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
  }

  /** Opens the Problems panel and returns its rows' accessible labels (message, source, position). */
  async problems({ waitFor, timeout = 60_000 } = {}) {
    await this.command('View: Focus Problems (Problems)', { optional: true }).then(async (ok) => {
      if (!ok) await this.page.keyboard.press('Control+Shift+M');
    });
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    const deadline = Date.now() + timeout;
    let labels = [];
    for (;;) {
      labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || e.textContent || ''));
      if (!waitFor || labels.some((l) => waitFor.test(l)) || Date.now() > deadline) break;
      await this.page.waitForTimeout(500);
    }
    return labels;
  }

  /** Puts the cursor on `line`, presses Ctrl+. and picks the code action whose title matches `title`. */
  async quickFix(line, title, { timeout = 30_000 } = {}) {
    await this.gotoLine(line);
    const menu = this.page.locator('.action-widget');
    const item = menu.locator('.monaco-list-row', { hasText: title }).first();
    const deadline = Date.now() + timeout;
    for (;;) {
      await this.page.keyboard.press('Control+.');
      try {
        await item.waitFor({ state: 'visible', timeout: 3_000 });
        break;
      } catch (e) {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) {
          throw new Error(`no quick fix matching ${title} on line ${line}: ${e.message.split('\n')[0]}`);
        }
        await this.page.waitForTimeout(500);
      }
    }
    const rows = menu.locator('.monaco-list-row.action');
    const titles = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || e.textContent));
    await this.screenshot('quick-fix-menu').catch(() => {});
    // The menu puts a pointer-blocking layer over itself until the mouse moves: choose with the keyboard.
    for (let i = 0; i <= titles.length; i++) {
      const focused = await menu.locator('.monaco-list-row.focused').getAttribute('aria-label');
      if (focused && (title instanceof RegExp ? title.test(focused) : focused.includes(title))) {
        await this.page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
        return titles;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`could not focus quick fix ${title} among ${JSON.stringify(titles)}`);
  }

  /**
   * The content frame of a webview whose outer iframe's src matches `match` (VS Code hosts webviews in
   * `iframe.webview` → inner `#active-frame`). Waits until `selector` is present inside it.
   */
  async webview(selector, { timeout = 60_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const frame of this.page.frames()) {
        if (frame.name() !== 'active-frame' && !frame.url().includes('fake.html')) continue;
        try {
          if ((await frame.locator(selector).count()) > 0) return frame;
        } catch {
          // detached frame: keep looking
        }
      }
      if (Date.now() > deadline) throw new Error(`no webview contains ${selector} after ${timeout} ms`);
      await this.page.waitForTimeout(500);
    }
  }
}

/** Small argv parser: --key value pairs. */
export function parseArgs(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      const key = argv[i].slice(2);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) out[key] = true;
      else out[key] = argv[++i];
    } else out._.push(argv[i]);
  }
  return out;
}
