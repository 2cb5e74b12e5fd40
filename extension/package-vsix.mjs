// Packages the built extension with @vscode/vsce (offline: dependencies are bundled by esbuild, so vsce
// does not run npm) into build/vibeflow-<version>.vsix, and copies it to build/vibeflow.vsix (stable name).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync("package.json", "utf8"));
for (const file of ["dist/extension.js", "dist/webviews/report.js", "dist/webviews/monitor.js", "dist/webviews/brainstorm.js"]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
}
mkdirSync("build", { recursive: true });
const out = `build/vibeflow-${version}.vsix`;
execFileSync(
  process.execPath,
  [
    "node_modules/@vscode/vsce/vsce",
    "package",
    "--no-dependencies",
    "--allow-missing-repository",
    "--skip-license",
    "--readme-path",
    "extension/README.md",
    "--out",
    out,
  ],
  { stdio: "inherit" },
);
copyFileSync(out, "build/vibeflow.vsix");
console.log(`packaged ${out} (also build/vibeflow.vsix)`);
