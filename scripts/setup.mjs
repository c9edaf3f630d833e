// Makes a fresh clone runnable with nothing but Node 20 and npm: installs the
// workspace with a pinned pnpm (fetched by npx, because corepack fails on these
// machines) when node_modules is missing or older than the lockfile, then
// builds every package with `tsc -b` (incremental, so a no-op build is fast), then
// bundles the browser client (packages/nn/web, esbuild, well under a second).
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const PNPM = 'pnpm@10.34.8';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  const frozen = existsSync(lock) ? ' --frozen-lockfile' : '';
  run(`npx --yes ${PNPM} install${frozen} --reporter=append-only`);
}
run('npx --no-install tsc -b packages/bfv packages/quant packages/nn packages/nn/web benchmarks');
run('node packages/nn/web/build.mjs');
