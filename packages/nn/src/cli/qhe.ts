#!/usr/bin/env node
/**
 * `qhe`: the project's main job — encrypted MNIST inference (CryptoNets slot
 * batching, Gilad-Bachrach et al. ICML 2016) with parameters planned from the
 * quantized model. A client encrypts the images, a server that holds only
 * public and relinearization keys evaluates the integer network, the client
 * decrypts and checks every image against the exact integer forward pass.
 *
 *   qhe [--images N] [--workers N] [--kernel u32|u64] [--model path] [--json]
 *   qhe plan <model.json> [--images N] [--kernel u32|u64] [--json]
 *   qhe bfv-demo [--n 4096|8192|16384] [--kernel u32|u64]
 *   qhe serve [--model path] [--host H] [--port P] [--workers N] [--no-flooding] …
 *   qhe classify --server URL [--mode batch|single] [--json] <image files…>
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QheError, type KernelName } from '@qhe/bfv';
import { argmax, forwardInteger, parseIntegerModel, quantizeInput, type IntegerModel } from '@qhe/quant/model';
import { WorkerPool } from '@qhe/bfv/parallel';
import { InferenceClient, InferenceServer, formatPlan, planInference, poolBackend, type InferencePlan } from '../index.js';
import { bfvDemo } from './bfv-demo.js';
import { runClassify } from './classify.js';
import { runServe } from './serve.js';

interface Options { images: number; workers: number; kernel: KernelName; model: string | null; json: boolean; positional: string[] }

const USAGE = `usage: qhe [--images N] [--workers N] [--kernel u32|u64] [--model path] [--json]
       qhe plan <model.json> [--images N] [--kernel u32|u64] [--json]
       qhe bfv-demo [--n 4096|8192|16384] [--kernel u32|u64]
       qhe serve [--model path] [--host 127.0.0.1] [--port 8080] [--workers N] [--no-flooding] [--flooding-security 40]
                 [--max-sessions 16] [--session-idle 900] [--queue 8] [--images N] [--poly-degree N --allow-insecure] [--quiet]
       qhe classify --server URL [--mode batch|single] [--json] <image files (PNG, PGM)…>`;

function bad(message: string): never {
  throw new QheError('INVALID_ARGUMENT', message);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { images: 8192, workers: availableParallelism(), kernel: 'u32', model: null, json: false, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => argv[++i] ?? bad(`qhe: expected a value after ${a}, got nothing`);
    const int = (name: string, lo: number, hi: number): number => {
      const s = value();
      const v = Number(s);
      if (!/^\d+$/.test(s) || v < lo || v > hi) bad(`qhe ${name}: expected an integer in [${lo}, ${hi}], got ${JSON.stringify(s)}`);
      return v;
    };
    if (a === '--images') o.images = int('--images', 1, 10000);
    else if (a === '--workers') o.workers = int('--workers', 1, 256);
    else if (a === '--kernel') {
      const k = value();
      if (k !== 'u32' && k !== 'u64') bad(`qhe --kernel: expected u32 or u64, got ${JSON.stringify(k)}`);
      o.kernel = k;
    } else if (a === '--model') o.model = value();
    else if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else if (a.startsWith('-')) bad(`qhe: expected one of --images, --workers, --kernel, --model, --json, --help, got ${JSON.stringify(a)}`);
    else o.positional.push(a);
  }
  return o;
}

const quantDir = fileURLToPath(new URL('../../../quant/', import.meta.url));

/** The committed CryptoNets model: packages/quant/models/ first, then the sweep's results/models/. */
function defaultModelPath(): string {
  for (const dir of [join(quantDir, 'models'), join(quantDir, 'results', 'models')]) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => f.startsWith('cryptonets') && f.endsWith('.json')).sort();
    const pick = files.find((f) => f.includes('-w8-') && !f.includes('-kd-')) ?? files.find((f) => f.includes('-w8-')) ?? files[0];
    if (pick) return join(dir, pick);
  }
  return bad(`qhe: expected a CryptoNets model under ${join(quantDir, 'models')}, got none (pass --model path)`);
}

function loadModel(path: string): IntegerModel {
  if (!existsSync(path)) bad(`qhe --model: expected an existing integer-model JSON file, got ${JSON.stringify(path)} (no such file)`);
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { return bad(`qhe --model: expected a readable file, got ${JSON.stringify(path)} (${(e as Error).message})`); }
  try { return parseIntegerModel(text); } catch (e) {
    const err = e as Error & { code?: string };
    return bad(`qhe --model ${path}: expected a valid qhe-integer-model JSON, got ${err.code ? `[${err.code}] ` : ''}${err.message}`);
  }
}

/** One progress bar on stderr (only when stderr is a terminal or QHE_PROGRESS=1). */
function progressBar(label: string, total: number): { tick(done: number): void; end(): void } {
  const on = process.stderr.isTTY || process.env.QHE_PROGRESS === '1';
  const start = performance.now();
  let last = 0;
  const draw = (done: number): void => {
    const w = 30, f = total ? Math.round((w * done) / total) : w;
    const s = (performance.now() - start) / 1000;
    process.stderr.write(`\r${label.padEnd(22)} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total} ${s.toFixed(1)} s `);
  };
  return {
    tick(done) { const now = performance.now(); if (on && now - last > 200) { last = now; draw(done); } },
    end() { if (on) { draw(total); process.stderr.write('\n'); } },
  };
}

async function loadTestImages(count: number): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  // The TF-free data subpath: the demo never loads TF.js.
  const quant = (await import('@qhe/quant/data')) as { loadMnist(): { test: { images: Uint8Array; labels: Uint8Array } } };
  const { test } = quant.loadMnist();
  return { images: test.images.subarray(0, count * 784), labels: test.labels.subarray(0, count) };
}

async function runDemo(o: Options): Promise<void> {
  const modelPath = o.model ?? defaultModelPath();
  const model = loadModel(modelPath);
  const [H, W, C] = model.input.shape;
  if (H * W * C !== 784) bad(`qhe: expected a model with a 28×28×1 MNIST input, got [${model.input.shape.join(',')}]`);
  const log = o.json ? (): void => {} : (s: string): void => console.log(s);
  const plan: InferencePlan = planInference(model, { images: o.images, kernel: o.kernel });
  log(formatPlan(plan));
  const data = await loadTestImages(o.images);
  const count = data.labels.length;
  const xs = Array.from({ length: count }, (_, s) => quantizeInput(model.input, data.images.subarray(s * 784, (s + 1) * 784)));
  let t0 = performance.now();
  const expected = xs.map((x) => forwardInteger(model, x));
  const plainMs = performance.now() - t0;
  const workersUsed = o.workers;
  // One pool shared by the CRT channels; --workers 1 keeps everything on the main thread.
  const pool = o.workers > 1 ? new WorkerPool({ size: o.workers }) : null;
  try {

  t0 = performance.now();
  const client = new InferenceClient(plan);
  const keys = client.serverKeys();
  const keygenMs = performance.now() - t0;
  const server = new InferenceServer(plan, model, keys, pool ? poolBackend(pool) : undefined);
  log(`\n${count} MNIST test images, N = ${plan.polyDegree} slots → ${Math.ceil(count / plan.polyDegree)} batch(es); backend: ${server.backendName}`);
  const layerMs = plan.layers.map(() => 0);
  const measured: (number | null)[] = plan.layers.map(() => null);
  let encryptMs = 0, decryptMs = 0;
  const got: bigint[][] = [];
  for (let b = 0; b < count; b += plan.polyDegree) {
    const batch = xs.slice(b, b + plan.polyDegree);
    t0 = performance.now();
    const bar = progressBar('encrypt', batch[0].length * plan.plainModuli.length);
    const enc = client.encrypt(batch, (d) => bar.tick(d));
    bar.end();
    encryptMs += performance.now() - t0;
    let cur: ReturnType<typeof progressBar> | null = null;
    const out = await server.run(enc, {
      onLayerStart: (i, type, work, j) => { cur = work ? progressBar(`ch ${j} layer ${i} ${type}`, work) : null; },
      onProgress: (_i, done) => cur?.tick(done),
      onLayer: (r) => {
        cur?.end();
        layerMs[r.index] += r.ms;
        if (r.type !== 'flatten') {
          const m = client.noiseBudget(r.channel, r.sample);
          measured[r.index] = measured[r.index] === null ? m : Math.min(measured[r.index]!, m);
        }
      },
    });
    t0 = performance.now();
    got.push(...client.decrypt(out));
    decryptMs += performance.now() - t0;
  }
  let exact = 0, encCorrect = 0, intCorrect = 0;
  for (let s = 0; s < count; s++) {
    if (got[s].length === expected[s].length && got[s].every((v, k) => v === expected[s][k])) exact++;
    if (argmax(got[s]) === data.labels[s]) encCorrect++;
    if (argmax(expected[s]) === data.labels[s]) intCorrect++;
  }
  const serverMs = layerMs.reduce((a, b) => a + b, 0);
  const totalMs = keygenMs + encryptMs + serverMs + decryptMs;
  const floatAcc = typeof model.metadata.floatAccuracy === 'number' ? model.metadata.floatAccuracy : null;
  const report = {
    model: model.name, modelPath, images: count, workers: workersUsed, workersRequested: o.workers, backend: server.backendName,
    plan: {
      n: plan.polyDegree, logQ: plan.logQ, logQP: plan.logQP, coeffModulus: plan.coeffModulus.map(String), specialModulus: plan.specialModulus.map(String),
      plainModuli: plan.plainModuli.map(String), tCount: plan.plainModuli.length, predictedFinalBudget: plan.predictedFinalBudget,
    },
    accuracy: { encrypted: encCorrect / count, integer: intCorrect / count, float: floatAcc, floatNote: 'float accuracy from the model metadata (10,000 test images)' },
    bitExact: exact,
    layers: plan.layers.map((l) => ({ index: l.index, type: l.type, level: l.level, ms: layerMs[l.index], predictedBudget: l.predictedBudget, measuredBudget: measured[l.index] })),
    ms: { keygen: keygenMs, encrypt: encryptMs, server: serverMs, decrypt: decryptMs, total: totalMs, plaintextIntegerForward: plainMs },
    msPerImage: totalMs / count,
    serverMsPerImage: serverMs / count,
    finalBudget: measured[measured.length - 1],
  };
  if (o.json) { console.log(JSON.stringify(report, null, 2)); }
  else {
    log('\n' + formatPlan(plan, measured));
    log('\nlayer            time (s)');
    for (const l of report.layers) log(`  ${String(l.index).padStart(2)} ${l.type.padEnd(10)} ${(l.ms / 1000).toFixed(2).padStart(9)}`);
    log(`\nkeygen ${(keygenMs / 1000).toFixed(2)} s, encrypt ${(encryptMs / 1000).toFixed(2)} s, server ${(serverMs / 1000).toFixed(2)} s, decrypt ${(decryptMs / 1000).toFixed(2)} s; total ${(totalMs / 1000).toFixed(2)} s`);
    log(`amortized: ${(totalMs / count).toFixed(2)} ms/image (server ${(serverMs / count).toFixed(2)} ms/image)`);
    log(`accuracy: encrypted ${(100 * encCorrect / count).toFixed(2)} %, integer plaintext ${(100 * intCorrect / count).toFixed(2)} %, float ${floatAcc === null ? '—' : (100 * floatAcc).toFixed(2) + ' % (training report, 10k images)'}`);
    log(`bit-exact logits: ${exact}/${count} images equal the integer model`);
    log(`noise budget left: ${report.finalBudget} bits (predicted ${plan.predictedFinalBudget.toFixed(1)})`);
  }
  if (exact !== count) process.exitCode = 1;
  } finally {
    await pool?.close();
  }
}

function runPlan(o: Options): void {
  if (o.positional.length !== 1) bad(`qhe plan: expected one model path, got ${o.positional.length}`);
  const model = loadModel(o.positional[0]);
  const plan = planInference(model, { images: o.images, kernel: o.kernel });
  if (o.json) console.log(JSON.stringify(plan, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
  else console.log(formatPlan(plan));
}

/** `--name value` pairs and switches for serve/classify (the demo's parser above knows only its own flags). */
function parseServiceArgs(cmd: string, argv: string[], values: readonly string[], switches: readonly string[]): { v: Map<string, string>; on: Set<string>; positional: string[] } {
  const v = new Map<string, string>(), on = new Set<string>(), positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    if (values.includes(a)) v.set(a, argv[++i] ?? bad(`qhe ${cmd} ${a}: expected a value, got nothing`));
    else if (switches.includes(a)) on.add(a);
    else if (a.startsWith('-')) bad(`qhe ${cmd}: expected one of ${[...values, ...switches].join(', ')}, got ${JSON.stringify(a)}`);
    else positional.push(a);
  }
  return { v, on, positional };
}

function intOf(cmd: string, v: Map<string, string>, name: string, fallback: number, lo: number, hi: number): number {
  const s = v.get(name);
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < lo || n > hi) bad(`qhe ${cmd} ${name}: expected an integer in [${lo}, ${hi}], got ${JSON.stringify(s)}`);
  return n;
}

async function serveMain(argv: string[]): Promise<void> {
  const { v, on, positional } = parseServiceArgs('serve', argv,
    ['--model', '--host', '--port', '--workers', '--flooding-security', '--max-sessions', '--session-idle', '--queue', '--images', '--poly-degree'],
    ['--no-flooding', '--allow-insecure', '--quiet']);
  if (positional.length) bad(`qhe serve: expected only flags, got ${JSON.stringify(positional[0])}`);
  const modelPath = v.get('--model') ?? defaultModelPath();
  const polyDegree = v.has('--poly-degree') ? intOf('serve', v, '--poly-degree', 0, 1024, 65536) : undefined;
  await runServe({
    model: loadModel(modelPath), modelPath,
    host: v.get('--host') ?? '127.0.0.1',
    port: intOf('serve', v, '--port', 8080, 0, 65535),
    workers: intOf('serve', v, '--workers', availableParallelism(), 1, 256),
    flooding: !on.has('--no-flooding'),
    floodingSecurity: intOf('serve', v, '--flooding-security', 40, 1, 128),
    maxSessions: intOf('serve', v, '--max-sessions', 16, 1, 100000),
    sessionIdleSeconds: intOf('serve', v, '--session-idle', 900, 1, 7 * 86400),
    queueLength: intOf('serve', v, '--queue', 8, 0, 10000),
    images: v.has('--images') ? intOf('serve', v, '--images', 0, 1, 65536) : undefined,
    polyDegree,
    allowInsecure: on.has('--allow-insecure'),
    quiet: on.has('--quiet'),
  }, (line) => console.log(line));
}

async function classifyMain(argv: string[]): Promise<void> {
  const { v, on, positional } = parseServiceArgs('classify', argv, ['--server', '--mode'], ['--json']);
  const server = v.get('--server') ?? bad('qhe classify --server: expected a server URL (e.g. http://127.0.0.1:8080), got nothing');
  const mode = v.get('--mode');
  if (mode !== undefined && mode !== 'batch' && mode !== 'single') bad(`qhe classify --mode: expected batch or single, got ${JSON.stringify(mode)}`);
  process.exitCode = await runClassify({ server, files: positional, mode, json: on.has('--json') }, (line) => console.log(line), process.stderr);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'bfv-demo') return bfvDemo(argv.slice(1));
  if (argv[0] === 'serve') return serveMain(argv.slice(1));
  if (argv[0] === 'classify') return classifyMain(argv.slice(1));
  const o = parseArgs(argv);
  if (o.positional[0] === 'plan') { o.positional.shift(); return runPlan(o); }
  if (o.positional[0] === 'run') o.positional.shift();
  if (o.positional.length) bad(`qhe: expected a command (plan, bfv-demo) or options, got ${JSON.stringify(o.positional[0])}`);
  return runDemo(o);
}

main().catch((err: unknown) => {
  const e = err as Error & { code?: string };
  if (err instanceof QheError || e?.name === 'QuantError' || e?.name === 'ServiceError') {
    console.error(`error [${e.code}]: ${e.message}`);
    process.exitCode = 2;
  } else throw err;
});
