// Entry point the pytest side runs for one scenario: opens the workspace in code-server through Chromium,
// performs the user's steps, saves screenshots, and prints `RESULT <json>` with what the UI showed.
//
//   node tests/e2e/drive.mjs SCENARIO --url http://127.0.0.1:PORT/?folder=/ws --artifacts DIR [--params JSON]
//        [--headed] [--slowmo MS]
//
// The assertions live in the pytest tests (they compare what the UI showed with the CLI's --json output);
// a scenario throws only when a step cannot be performed at all (a command or element never appears).
import path from 'node:path';
import { scenarios } from './scenarios.mjs';
import { parseArgs, VSCode } from './vscode.mjs';

const args = parseArgs(process.argv.slice(2));
const name = args._[0];
const scenario = scenarios[name];
if (!scenario) {
  console.error(`unknown scenario ${JSON.stringify(name)}; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
if (!args.url || !args.artifacts) {
  console.error('usage: drive.mjs SCENARIO --url URL --artifacts DIR [--params JSON] [--headed] [--slowmo MS]');
  process.exit(2);
}
const params = args.params ? JSON.parse(args.params) : {};
const headed = Boolean(args.headed || process.env.VIBEFLOW_E2E_HEADED);
const slowMo = Number(args.slowmo || process.env.VIBEFLOW_E2E_SLOWMO || 0);

const started = Date.now();
const step = (msg) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
let vs;
let code = 0;
try {
  step(`opening ${args.url}`);
  vs = await VSCode.open({ url: args.url, artifacts: args.artifacts, headed, slowMo });
  step('wait for the VibeFlow status bar item to leave its "starting" state');
  const busy = /loading|starting|finding|installing|restarting/i;
  step(`status: ${await vs.statusBarItem('VibeFlow', { until: (label) => !busy.test(label) })}`);
  const result = await scenario(vs, params, step);
  result.screenshots = vs.shots.map((f) => path.relative(process.cwd(), f));
  result.seconds = (Date.now() - started) / 1000;
  console.log(`RESULT ${JSON.stringify(result)}`);
} catch (err) {
  code = 1;
  console.error(`scenario ${name} failed: ${err && err.stack ? err.stack : err}`);
  if (vs) {
    const shot = await vs.screenshot('failure').catch(() => null);
    if (shot) console.error(`screenshot of the failure: ${shot}`);
  }
} finally {
  if (vs && headed && process.env.VIBEFLOW_E2E_KEEP_OPEN) {
    console.error('VIBEFLOW_E2E_KEEP_OPEN: close the browser window to finish.');
    await new Promise((resolve) => vs.browser.on('disconnected', resolve));
  } else if (vs) {
    await vs.close();
  }
}
process.exit(code);
