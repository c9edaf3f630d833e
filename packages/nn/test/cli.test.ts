import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultModelPath, readModelManifest } from '@qhe/quant/data';
import { serializeIntegerModel } from '@qhe/quant/model';
import type { CliIo } from '../src/cli/command.js';
import { COMMANDS } from '../src/cli/commands.js';
import { flagName } from '../src/cli/flags.js';
import { runCli } from '../src/cli/qhe.js';
import { slotNote } from '../src/cli/run.js';
import { planInference } from '../src/index.js';
import { tinyMnistModel } from './fixtures.js';

/** runCli with captured stdout/stderr (stderr not a terminal). */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io: CliIo = { out: (s) => { out += s + '\n'; }, err: { write: (s: string) => { err += s; return true; }, isTTY: false }, env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'qhe-cli-'));
const tinyPath = join(tmp, 'tiny.json');
writeFileSync(tinyPath, serializeIntegerModel(tinyMnistModel()));
const hugePath = join(tmp, 'huge-bias.json');
writeFileSync(hugePath, serializeIntegerModel(tinyMnistModel('huge-bias', 650)));

describe('qhe command line: flags', () => {
  it('unknown flags are errors in every subcommand (the training CLI used to accept --epoch 5 --bogus 1)', async () => {
    for (const c of COMMANDS) {
      const r = await cli(c.name, '--bogus', '1');
      expect(r.code, c.name).toBe(2);
      expect(r.err).toMatch(new RegExp(`^error \\[INVALID_ARGUMENT\\]: qhe ${c.name}: expected one of its flags .*got "--bogus" \\(unknown flag\\)`));
    }
    const t = await cli('train', '--epoch', '5', '--bogus', '1');
    expect(t.code).toBe(2);
    expect(t.err).toContain('got "--epoch" (unknown flag)');
  });

  it('typed errors name the subcommand, the flag, what was expected and what was given', async () => {
    const cases: [string[], string][] = [
      [['--images', '0'], 'qhe run --images: expected an integer in [1, 10000], got "0"'],
      [['run', '--workers', '2.5'], 'qhe run --workers: expected an integer in [1, 256], got "2.5"'],
      [['plan', '--kernel', 'u65'], 'qhe plan --kernel: expected one of u32, u64, got "u65"'],
      [['train', '--weight-bits', '9'], 'qhe train --weight-bits: expected an integer in [2, 8], got "9"'],
      [['train', '--network', 'lenet'], 'qhe train --network: expected one of cryptonets, seed2, got "lenet"'],
      [['sweep', '--cells', 'cryptonets/square/4/2/maybe'], 'qhe sweep --cells: expected network/activation/weightBits/inputBits/kd|nokd, got "cryptonets/square/4/2/maybe"'],
      [['sweep', '--weight-bits', '4,x'], 'qhe sweep --weight-bits: expected an integer in [2, 8], got "x"'],
      [['run', '--images'], 'qhe run --images: expected a value (N), got nothing'],
      [['run', '--images', '5', '--images', '6'], 'qhe run --images: expected the flag once, got it twice'],
      [['run', '--json=maybe'], 'qhe run --json: expected no value, or =true / =false, got "maybe"'],
      [['run', 'extra'], 'qhe run: expected no positional arguments, got "extra"'],
      [['frobnicate'], 'qhe: expected a command (run, plan, serve, classify, train, sweep, xray, xray-plans, bfv-demo) or flags of qhe run, got "frobnicate"'],
      [['plan', '--model', join(tmp, 'missing.json')], `qhe plan --model: expected an existing integer-model JSON file, got ${JSON.stringify(join(tmp, 'missing.json'))} (no such file)`],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toBe(`error [INVALID_ARGUMENT]: ${message}\n`);
    }
  });

  it('--help lists every flag of every subcommand with its default; qhe --help lists the subcommands', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.out).toContain(`  ${c.name} `);
    for (const c of COMMANDS) {
      const r = await cli(c.name, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^usage: qhe ${c.name} `));
      for (const [key, flag] of Object.entries(c.flags)) {
        expect(r.out).toContain(flagName(key));
        if (flag.takesValue) expect(r.out).toContain(`(default: ${flag.defaultLabel})`);
      }
    }
  });
});

describe('qhe command line: models', () => {
  it('the default model is the one the manifest names, not the first file by name', async () => {
    const manifest = readModelManifest();
    const r = await cli('plan', '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out) as { model: string; modelPath: string };
    expect(plan.modelPath).toBe(defaultModelPath());
    expect(plan.modelPath).toBe(join(manifest.dir, manifest.default));
  });

  it('train never writes over an existing model without --force, and its default output is not committed', async () => {
    const existing = join(tmp, 'existing.json');
    writeFileSync(existing, 'keep me');
    const before = statSync(existing).mtimeMs;
    const r = await cli('train', '--out', existing, '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`qhe train --out: expected a file that does not exist yet (or --force to overwrite it), got ${JSON.stringify(existing)}, which exists`);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    expect(statSync(existing).mtimeMs).toBe(before);
    const help = (await cli('train', '--help')).out;
    expect(help).toContain('--out PATH');
    expect(help).toMatch(/default: packages\/quant\/results\/models\//);
    expect(readFileSync(fileURLToPath(new URL('../../quant/.gitignore', import.meta.url)), 'utf8')).toMatch(/^results\/models\/$/m);
  });

  it('a plan with an absurd cost is accepted with a warning that states the cost', async () => {
    const r = await cli('plan', '--model', hugePath);
    expect(r.code).toBe(0);
    const channels = Number(/CRT of (\d+) channels/.exec(r.out)?.[1]);
    expect(channels).toBeGreaterThan(20);
    expect(r.err).toMatch(new RegExp(`^warning: costly plan: ${channels} CRT channel\\(s\\) .* estimated \\d+(\\.\\d)? (s|min|h) on 2 cores .* GiB of ciphertexts .* GiB of keys`));
    const small = await cli('plan', '--model', tinyPath);
    expect(small.err).toBe('');
  });

  it('--images below N says that one batch always costs N slots', () => {
    const plan = planInference(tinyMnistModel(), { images: 256 });
    expect(slotNote(plan, 256)).toBe(`note: one batch always costs N = ${plan.polyDegree} slots: 256 image(s) take 1 batch(es), as long as ${plan.polyDegree} would (${plan.polyDegree - 256} slot(s) of the last batch are empty); pass --images ${plan.polyDegree} to fill them, or --mode single to classify a few images one at a time (seconds each).`);
    expect(slotNote(plan, plan.polyDegree)).toBeNull();
    expect(slotNote(plan, plan.polyDegree + 1)).toContain('2 batch(es)');
  });
});

const dist = fileURLToPath(new URL('../dist/cli/qhe.js', import.meta.url));
describe.skipIf(!existsSync(dist))('qhe run, piped (stderr not a terminal)', () => {
  it('prints plain progress lines per channel and layer on stderr, the plan once, the note and the peak memory', () => {
    const r = spawnSync(process.execPath, [dist, 'run', '--model', tinyPath, '--images', '16', '--workers', '2'], { encoding: 'utf8', env: { ...process.env, INIT_CWD: tmp } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\r');
    const lines = r.stderr.trim().split('\n');
    for (const step of ['encrypt', 'layer 0 conv2d', 'layer 2 dense']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^channel 1/1 · ${step}: started, \\d+ to do$`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^channel 1/1 · ${step}: done \\d+/\\d+ in \\d+\\.\\d s`)));
    }
    expect(r.stdout.match(/^plan for tiny-mnist:/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/note: one batch always costs N = \d+ slots: 16 image\(s\)/);
    expect(r.stdout).toContain('bit-exact logits: 16/16 images equal the integer model');
    expect(r.stdout).toMatch(/peak memory \(RSS\): \d+\.\d\d GiB/);
    const json = spawnSync(process.execPath, [dist, '--json', '--model', tinyPath, '--images', '16', '--workers', '1', '--progress', 'off'], { encoding: 'utf8' });
    expect(json.status, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as { bitExact: number; memory: { peakRssBytes: number } };
    expect(report.bitExact).toBe(16);
    expect(report.memory.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
  });
});
