// Bundles the browser client (esbuild): src/main.ts → dist/app.js, src/worker.ts →
// dist/worker.js, index.html copied. Platform 'browser', and the build fails if any
// `node:` module is reachable from either bundle — the client path must run in browsers.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: { app: join(here, 'src/main.ts'), worker: join(here, 'src/worker.ts') },
  outdir: out,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  conditions: ['source'],
  sourcemap: true,
  minify: true,
  metafile: true,
  logLevel: 'warning',
});
const nodeImports = Object.keys(result.metafile.inputs).filter((f) => f.startsWith('node:'));
for (const o of Object.values(result.metafile.outputs)) for (const i of o.imports) if (i.path.startsWith('node:')) nodeImports.push(i.path);
if (nodeImports.length) {
  console.error(`web/build.mjs: expected no node: imports in the browser bundle, got ${[...new Set(nodeImports)].join(', ')}`);
  process.exit(1);
}
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
