// Packages the built extension with @vscode/vsce (offline: dependencies are bundled by esbuild, so vsce
// does not run npm) into build/vibeflow-<version>.vsix, and copies it to build/vibeflow.vsix (stable name).
// The backend's own wheel goes inside (dist/backend/): "Install Backend" installs it, never a name from PyPI.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";

const { version } = JSON.parse(readFileSync("package.json", "utf8"));
for (const file of ["dist/extension.js", "dist/webviews/report.js", "dist/webviews/monitor.js", "dist/webviews/brainstorm.js"]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
}
// setuptools stages files in build/lib and build/bdist.*: a stale copy of a deleted module would go into the wheel.
const clearStaging = () => {
  const bdist = existsSync("build") ? readdirSync("build").filter((d) => d.startsWith("bdist.")) : [];
  for (const dir of ["build/lib", ...bdist.map((d) => `build/${d}`)]) rmSync(dir, { recursive: true, force: true });
};
rmSync("dist/backend", { recursive: true, force: true });
clearStaging();
const python = process.env.VIBEFLOW_PYTHON ?? (existsSync(".venv/bin/python") ? ".venv/bin/python" : "python3");
execFileSync(python, ["-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", "dist/backend", "."], {
  stdio: ["ignore", "ignore", "inherit"],
});
clearStaging();
const wheels = readdirSync("dist/backend").filter((f) => f === `vibeflow-${version}-py3-none-any.whl`);
if (wheels.length !== 1) throw new Error(`building the backend wheel vibeflow-${version} failed (dist/backend: ${readdirSync("dist/backend").join(", ")})`);
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
