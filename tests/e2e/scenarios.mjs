// The user's journeys through VibeFlow in a real VS Code. Each scenario returns what the UI showed; the
// pytest side (tests/e2e/test_ide.py) checks it against the CLI's --json output for the same input.
// Webview elements are found by the data-testid attributes listed in extension/TESTING.md, inside the
// webview whose <body data-view="…"> names the panel.

const LR_DIAGNOSTIC = /learning_rate .* far (above|below) the recommended/;

/** GET from the window's backend, found like the CLI finds it: $VIBEFLOW_HOME/server.json (URL + token). */
async function backendGet(home, path) {
  const { readFile } = await import('node:fs/promises');
  const info = JSON.parse(await readFile(`${home}/server.json`, 'utf8'));
  const response = await fetch(info.url + path, { headers: { Authorization: `Bearer ${info.token}` } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Waits until `fn()` returns a truthy value (polling), or throws `what` after `timeout` ms. */
async function until(vs, what, fn, { timeout = 60_000, every = 500 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await vs.page.waitForTimeout(every);
  }
}

/** Opens vibeflow.yaml, waits for the learning-rate diagnostic, applies its quick fix and saves. */
async function fixLearningRate(vs, step) {
  step('open vibeflow.yaml');
  await vs.openFile('vibeflow.yaml');
  step('wait for the learning-rate diagnostic in the Problems panel');
  const before = await vs.problems({ waitFor: LR_DIAGNOSTIC, timeout: 90_000 });
  const diagnostic = before.find((l) => LR_DIAGNOSTIC.test(l));
  if (!diagnostic) throw new Error(`no learning-rate diagnostic; Problems shows ${JSON.stringify(before)}`);
  await vs.screenshot('problems-learning-rate');
  const line = Number(/at line (\d+)/.exec(diagnostic)?.[1]);
  step(`apply the quick fix on line ${line}`);
  await vs.openFile('vibeflow.yaml');
  const fixes = await vs.quickFix(line, /Set learning_rate to/);
  const edited = await until(vs, 'the edited learning rate in the editor', async () => {
    const text = await vs.editorText();
    return /learning_rate:\s*0\.05\b/.test(text) ? null : text;
  });
  await vs.page.keyboard.press('Control+S');
  await until(vs, 'the saved editor', async () => (await vs.page.locator('.tab.active.dirty').count()) === 0);
  step('wait for the diagnostic to go away');
  const after = await until(
    vs,
    'the Problems panel without the learning-rate diagnostic',
    async () => {
      const labels = await vs.problems({ timeout: 1 });
      return labels.some((l) => LR_DIAGNOSTIC.test(l)) ? null : labels;
    },
    { timeout: 60_000 },
  );
  await vs.screenshot('after-quick-fix');
  return { diagnostic, line, problemsBefore: before, fixes, editorText: edited, problemsAfter: after };
}

export const scenarios = {
  /** (a) bad learning rate → diagnostic in Problems → quick fix → saved file. */
  async recipeQuickFix(vs, _params, step) {
    return fixLearningRate(vs, step);
  },

  /** (b) VibeFlow: Quality Report on the workspace's dataset → the report webview's numbers. */
  async qualityReport(vs, params, step) {
    step(`open ${params.dataset}`);
    await vs.openFile(params.dataset);
    step('run VibeFlow: Quality Report');
    await vs.command('VibeFlow: Quality Report');
    const frame = await vs.webview('body[data-view="report"]', { timeout: 60_000 });
    step('wait for the report');
    await frame.locator('[data-testid="report-issues"], [data-testid="report-no-issues"]').first().waitFor({
      timeout: 180_000,
    });
    const text = async (id) => (await frame.locator(`[data-testid="${id}"]`).first().textContent())?.trim();
    const counts = await frame.locator('[data-testid^="report-count-"]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.dataset.testid.replace('report-count-', ''), e.textContent.trim()])),
    );
    await vs.hidePanel();
    await vs.screenshot('quality-report');
    const rowsTable = frame.locator('[data-testid="report-rows"]');
    if (await rowsTable.count()) await vs.elementShot(rowsTable.first(), 'quality-report-rows');
    return {
      title: await text('report-title'),
      rows: await text('report-rows-count'),
      score: await text('report-score'),
      issueKinds: await text('report-issue-total'),
      counts,
      errorBanner: (await frame.locator('[data-testid="error-banner"]').count()) ? await text('error-banner') : null,
    };
  },

  /** The report of a file that is not a dataset shows the backend's error with its fix, and never hangs. */
  async qualityReportError(vs, params, step) {
    step(`run VibeFlow: Quality Report and pick ${params.dataset}`);
    await vs.command('VibeFlow: Quality Report');
    await vs.answerQuickInput(params.dataset, { pick: params.dataset });
    const frame = await vs.webview('body[data-view="report"]', { timeout: 60_000 });
    step('wait for the error banner');
    const banner = frame.locator('[data-testid="error-banner"]').first();
    await banner.waitFor({ timeout: 60_000 });
    await vs.hidePanel();
    await vs.screenshot('quality-report-error');
    return {
      errorBanner: (await banner.textContent())?.trim(),
      loading: await frame.locator('[data-testid="report-loading"]').count(),
    };
  },

  /** (c) fix the recipe, VibeFlow: Start Training → the run monitor's live loss curve. */
  async trainingMonitor(vs, params, step) {
    const fix = await fixLearningRate(vs, step);
    step('run VibeFlow: Start Training');
    await vs.command('VibeFlow: Start Training');
    const frame = await vs.webview('body[data-view="monitor"]', { timeout: 120_000 });
    await vs.hidePanel();
    const points = frame.locator('[data-testid="monitor-loss-points"]');
    const status = frame.locator('[data-testid="monitor-status"]');
    const minPoints = params.minPoints ?? 8;
    step(`wait for ${minPoints} loss points (or the end of the run)`);
    let shotAt = 0;
    const final = await until(
      vs,
      `a loss curve with ${minPoints}+ points and a finished run`,
      async () => {
        const n = Number((await points.getAttribute('data-count')) || 0);
        const s = (await status.count()) ? (await status.textContent()).trim() : '';
        if (n >= 2 && n >= shotAt + 4) {
          shotAt = n;
          await vs.screenshot('run-monitor-live');
          step(`${n} loss points, status ${s}`);
        }
        if (['failed', 'stopped', 'orphaned'].includes(s)) return { status: s, n };
        const done = params.waitForEnd ? s === 'completed' : n >= minPoints;
        return done && n >= minPoints ? { status: s, n } : null;
      },
      { timeout: params.timeoutMs ?? 480_000, every: 1000 },
    );
    await vs.screenshot('run-monitor');
    await vs.elementShot(frame.locator('[data-testid="monitor-loss-chart"]'), 'run-monitor-loss-chart');
    const alerts = await frame.locator('[data-testid^="monitor-alert-"]').allTextContents();
    return {
      fix,
      status: final.status,
      title: (await frame.locator('[data-testid="monitor-title"]').textContent()).trim(),
      header: (await frame.locator('[data-testid="monitor-header"]').textContent()).trim(),
      points: JSON.parse((await points.textContent()) || '[]'),
      falling: await points.getAttribute('data-falling'),
      chartCanvases: await frame.locator('[data-testid="monitor-loss-chart"] canvas').count(),
      alerts,
      log: (await frame.locator('[data-testid="monitor-log"]').textContent()).slice(-2000),
    };
  },

  /** (d) Brainstorm chat (offline) → recommendation card → "Write vibeflow.yaml" → the recipe on disk. */
  async brainstorm(vs, params, step) {
    step('run VibeFlow: Open Brainstorm Chat');
    await vs.command('VibeFlow: Open Brainstorm Chat');
    const frame = await vs.webview('body[data-view="brainstorm"] [data-testid="chat-input"]', { timeout: 90_000 });
    const assistant = frame.locator('[data-testid="chat-msg-assistant"]');
    const card = frame.locator('[data-testid="rec-card"]');
    const say = async (text) => {
      const before = await assistant.count();
      step(`say: ${text}`);
      await frame.locator('[data-testid="chat-input"]').fill(text);
      await frame.locator('[data-testid="chat-send"]').click();
      await until(vs, 'the agent reply', async () => (await assistant.count()) > before, { timeout: 120_000 });
    };
    await say(params.message);
    // The agent may ask clarifying questions first; answer them, then let it pick.
    for (const answer of params.answers ?? []) {
      if (await card.count()) break;
      await say(answer);
    }
    if (!(await card.count())) {
      step('Let AI pick');
      await frame.locator('[data-testid="chat-pick"]').click();
    }
    await card.first().waitFor({ timeout: 120_000 });
    const text = async (id) => {
      const el = frame.locator(`[data-testid="${id}"]`).first();
      return (await el.count()) ? (await el.textContent()).trim() : null;
    };
    await vs.screenshot('brainstorm-chat');
    await vs.elementShot(card.first(), 'brainstorm-card');
    const shown = {
      mode: await text('chat-mode'),
      title: await text('rec-title'),
      cost: await text('rec-cost'),
      time: await text('rec-time'),
      memory: await text('rec-memory'),
      hardware: await text('rec-hardware'),
      settings: await text('rec-settings'),
      transcript: await frame.locator('[data-testid^="chat-msg-"]').allTextContents(),
    };
    step('Write vibeflow.yaml');
    await frame.locator('[data-testid="rec-write"]').click();
    const dialog = vs.page.locator('.monaco-dialog-box');
    const replace = dialog.locator('.monaco-button', { hasText: 'Replace' });
    const editorTab = vs.page.locator('.tab[data-resource-name="vibeflow.yaml"]');
    await until(vs, 'the replace dialog or the written recipe', async () => (await replace.count()) || (await editorTab.count()), {
      timeout: 60_000,
    });
    if (await replace.count()) {
      await vs.screenshot('brainstorm-replace-dialog');
      await replace.first().click();
    }
    await editorTab.first().waitFor({ timeout: 60_000 });
    await until(vs, 'the saved recipe', async () => (await vs.page.locator('.tab.dirty').count()) === 0);
    await vs.screenshot('brainstorm-recipe');
    return shown;
  },

  /** (e) VibeFlow: Evaluate Run on a completed run → the evaluation webview's scores. */
  async evaluateRun(vs, params, step) {
    step('run VibeFlow: Evaluate Run');
    await vs.command('VibeFlow: Evaluate Run');
    await vs.answerQuickInput(undefined, { pick: params.runId });
    const frame = await vs.webview('body[data-view="evaluation"] [data-testid="eval-status"]', { timeout: 120_000 });
    await vs.hidePanel();
    const status = frame.locator('[data-testid="eval-status"]');
    let shown = '';
    const final = await until(
      vs,
      'the evaluation to finish',
      async () => {
        const s = (await status.textContent()).trim();
        const progress = await frame.locator('[data-testid="eval-progress"]').textContent().catch(() => '');
        if (`${s} ${progress}` !== shown) step((shown = `${s} ${progress}`));
        return ['completed', 'failed', 'stopped'].includes(s) ? s : null;
      },
      { timeout: params.timeoutMs ?? 900_000, every: 2000 },
    );
    const text = async (id) => {
      const el = frame.locator(`[data-testid="${id}"]`).first();
      return (await el.count()) ? (await el.textContent()).trim() : null;
    };
    const metrics = await frame.locator('[data-testid^="eval-metric-"]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.dataset.testid.replace('eval-metric-', ''), e.textContent.trim()])),
    );
    await vs.screenshot('evaluation');
    const example = frame.locator('[data-testid="eval-example"]');
    if (await example.count()) await vs.elementShot(example.first(), 'evaluation-example');
    return {
      status: final,
      base: await text('eval-overall-base'),
      tuned: await text('eval-overall-tuned'),
      improvement: await text('eval-improvement'),
      gate: await text('eval-gate'),
      metrics,
      errorBanner: await text('error-banner'),
    };
  },

  /** (e) VibeFlow: Deploy Run (CPU engine) → the deployment webview → its "Try it" box answers. */
  async deployRun(vs, params, step) {
    step('run VibeFlow: Deploy Run');
    await vs.command('VibeFlow: Deploy Run');
    await vs.answerQuickInput(undefined, { pick: params.runId });
    await vs.answerQuickInput(undefined, { pick: params.engine ?? 'cpu' });
    const frame = await vs.webview('body[data-view="deployments"] [data-testid="deploy-status"]', { timeout: 300_000 });
    await vs.hidePanel();
    const status = frame.locator('[data-testid="deploy-status"]');
    const final = await until(
      vs,
      'the deployment to go live',
      async () => {
        const s = (await status.textContent()).trim();
        return ['live', 'failed', 'unhealthy', 'stopped'].includes(s) ? s : null;
      },
      { timeout: params.timeoutMs ?? 300_000, every: 2000 },
    );
    const text = async (id) => {
      const el = frame.locator(`[data-testid="${id}"]`).first();
      return (await el.count()) ? (await el.textContent()).trim() : null;
    };
    let answer = null;
    if (final === 'live') {
      step('ask the deployed model through the test box');
      await frame.locator('[data-testid="deploy-test-input"]').fill(params.prompt ?? 'Where is my order?');
      await frame.locator('[data-testid="deploy-test-send"]').click();
      await frame.locator('[data-testid="deploy-test-output"]').waitFor({ timeout: 180_000 });
      answer = await text('deploy-test-output');
    }
    await vs.screenshot('deployment');
    // The backend lives as long as this window: ask its API for the deployments now, before the window closes.
    const listed = params.home ? await backendGet(params.home, '/api/deployments') : null;
    return {
      listed,
      status: final,
      name: await text('deploy-name'),
      endpoint: await text('deploy-endpoint'),
      model: await text('deploy-model'),
      consistency: await text('deploy-consistency'),
      answer,
      errorBanner: await text('error-banner'),
    };
  },
};
