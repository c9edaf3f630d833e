import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelPath, modelPathByRole, readModelManifest } from '../src/data/models.js';

function folder(manifest: unknown, files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'qhe-manifest-'));
  for (const f of files) writeFileSync(join(dir, f), '{}');
  writeFileSync(join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return dir;
}
const entry = (file: string, role = 'other') => ({ file, role, description: file });

describe('model manifest', () => {
  it('the default is the file the manifest names, whatever the other files are called', () => {
    // Files that sort first (and the old picker's "-w8-" rule) must not win.
    const files = ['aaa-w8-first.json', 'cryptonets-square-w8-in8.json', 'zzz-chosen.json'];
    const dir = folder({ format: 'qhe-model-manifest', version: 1, default: 'zzz-chosen.json', models: [entry(files[0]), entry(files[1], 'low-bits'), entry(files[2], 'default')] }, files);
    expect(defaultModelPath(dir)).toBe(join(dir, 'zzz-chosen.json'));
    expect(modelPathByRole('low-bits', dir)).toBe(join(dir, 'cryptonets-square-w8-in8.json'));
    expect(modelPathByRole('none', dir)).toBeNull();
  });

  it('a broken manifest is refused with a typed error naming the field', () => {
    const ok = { format: 'qhe-model-manifest', version: 1, default: 'a.json', models: [entry('a.json')] };
    const code = (dir: string) => { try { readModelManifest(dir); return 'ok'; } catch (e) { return `${(e as { code: string }).code}: ${(e as Error).message}`; } };
    expect(code(folder(ok, ['a.json']))).toBe('ok');
    expect(code(folder(ok, []))).toMatch(/^FILE_MISSING: .*models\[0\]\.file: expected an existing model file, got "a.json"/);
    expect(code(folder({ ...ok, default: 'b.json' }, ['a.json']))).toMatch(/^MODEL_FIELD: .*\.default: expected the file name of a listed model, got "b.json"/);
    expect(code(folder({ ...ok, version: 2 }, ['a.json']))).toMatch(/^MODEL_VERSION: /);
    expect(code(folder({ ...ok, models: [entry('../a.json')] }, ['a.json']))).toMatch(/^MODEL_FIELD: .*expected a \.json file name in the manifest folder/);
    expect(code(folder('{ nope', []))).toMatch(/^FILE_CORRUPT: /);
    expect(code(mkdtempSync(join(tmpdir(), 'qhe-manifest-')))).toMatch(/^FILE_MISSING: .*expected a model manifest, got "no such file"/);
  });

  it('the committed manifest names a default model', () => {
    const m = readModelManifest();
    expect(m.models.find((e) => e.file === m.default)?.role).toBe('default');
  });
});
