/**
 * The API reference (`npm run docs`, typedoc.json) builds without a single
 * warning: every public entry point of @qhe/bfv, @qhe/quant and @qhe/nn, with
 * TSDoc syntax, links and "referenced but not exported" checked
 * (scripts/typedoc-workspace.mjs extends TypeDoc's own check to the workspace's
 * packages). And the check is not vacuous: a fixture whose public function takes
 * an unexported type fails it.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const typedoc = join(dirname(createRequire(import.meta.url).resolve('typedoc/package.json')), 'bin', 'typedoc');
/** Runs typedoc in a child process; resolves with its exit status and output (colours stripped). */
const run = (...args: string[]) =>
  new Promise<{ status: number; output: string }>((resolve) => {
    execFile(process.execPath, [typedoc, ...args], { cwd: root, encoding: 'utf8' }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, output: `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, '') });
    });
  });

// The two runs are independent: run them side by side.
describe.concurrent('API reference (typedoc)', () => {
  it('builds for every public entry point with treatWarningsAsErrors', async () => {
    const { status, output } = await run('--emit', 'none', '--treatWarningsAsErrors');
    expect(output).not.toMatch(/\[warning\]|\[error\]/);
    expect(status, output).toBe(0);
  });

  it('fails on a public signature that names an unexported type (the check works)', async () => {
    // Two packages, as in this workspace, where TypeDoc's own notExported check stays silent.
    const { status, output } = await run('--options', 'scripts/fixtures/typedoc-unexported/typedoc.json', '--emit', 'none', '--treatWarningsAsErrors');
    expect(output).toMatch(/Hidden, defined in @qhe\/fixture-b\/src\/index\.ts, is referenced by @qhe\/fixture-b\.read\.h but not exported/);
    expect(status).not.toBe(0);
  });
});
