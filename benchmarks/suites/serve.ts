/**
 * `npm run bench:serve` → benchmarks/results/serve.json and serve.md.
 *
 * Encrypted inference as a service, measured end to end over loopback as the
 * HomomorphicEncryption.org ml-inference benchmark harness reports it: per
 * row, key generation, encryption, server computation, decryption and total
 * latency, and the bytes of the evaluation keys (once per session), the upload
 * and the download. `qhe serve` runs in a child process on every core; the
 * client (QheClient, the same code as `qhe classify` and the browser page) runs
 * here. Every answer is checked bit for bit against the exact integer model.
 *
 * Rows: mode batch (CryptoNets slot batching: the plan's N images in one
 * request) and mode single (one image per request, the packed plan), each with
 * noise flooding on (the default) and off (`--no-flooding`), so the cost of
 * circuit privacy shows.
 * Extra fields: requestMs (the round trip), overheadMs = requestMs − serverMs
 * (transport, (de)serialization, queueing; the goal is ≤ 5% of serverMs),
 * uploadKeysMs, N and channel count.
 *
 * Env: QHE_BENCH_MODEL (default: the manifest's default model), QHE_BENCH_IMAGES
 * (default: the plan's N), QHE_BENCH_ROUNDS (default 1; medians over rounds),
 * QHE_BENCH_MODES (default single,batch: the order of the rows),
 * QHE_BENCH_FLOODING=on|off|both (default both), QHE_BENCH_SERVER_ARGS (extra
 * `qhe serve` flags, e.g. "--poly-degree 1024 --allow-insecure" for a quick check).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QheClient, nodeFetch } from '@qhe/nn/service';
import { defaultModelPath, loadMnist } from '@qhe/quant/data';
import { forwardInteger, parseIntegerModel, quantizeInput, type IntegerModel } from '@qhe/quant/model';
import { median, printTable, writeMarkdownTable, writeResults } from '../lib/report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'packages', 'nn', 'dist', 'cli', 'qhe.js');
const modelPath = process.env.QHE_BENCH_MODEL ?? defaultModelPath();
const rounds = Number(process.env.QHE_BENCH_ROUNDS ?? 1);
const floodingEnv = process.env.QHE_BENCH_FLOODING ?? 'both';
const extraArgs = (process.env.QHE_BENCH_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean);
// Single first: its rows are the cheaper ones, so a run stopped early still has them.
const modesEnv = (process.env.QHE_BENCH_MODES ?? 'single,batch').split(',');
const model: IntegerModel = parseIntegerModel(readFileSync(modelPath, 'utf8'));
const workers = availableParallelism();

async function startServer(flooding: boolean): Promise<{ url: string; proc: ChildProcess }> {
  const args = [cli, 'serve', '--model', modelPath, '--port', '0', '--workers', String(workers), '--quiet', ...(flooding ? [] : ['--no-flooding']), ...extraArgs];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`qhe serve exited with ${code} before listening:\n${out}`)));
  });
  return { url, proc };
}

/** The images of a request: MNIST test images for a 28×28×1 model, deterministic pixels otherwise. */
function images(count: number): Uint8Array[] {
  const size = model.input.shape.reduce((a, b) => a * b, 1);
  if (size === 784) {
    const { test } = loadMnist();
    return Array.from({ length: count }, (_, s) => test.images.slice((s % test.count) * 784, ((s % test.count) + 1) * 784));
  }
  let x = 12345;
  return Array.from({ length: count }, () => Uint8Array.from({ length: size }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24)));
}

const rows: Record<string, unknown>[] = [];

function notesOf(): string[] {
  const find = (mode: string, flooding: boolean) => rows.find((r) => r.mode === mode && r.flooding === flooding) as Record<string, number> | undefined;
  const mb = (b: number): string => (b / 1e6).toFixed(1);
  const notes: string[] = [
    `model ${basename(modelPath)}, server on ${workers} worker threads, ${rounds} round(s) per row (medians); machine ${process.version}, load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared machine: times are indicative)`,
  ];
  for (const mode of ['batch', 'single']) {
    const on = find(mode, true), off = find(mode, false);
    const any = on ?? off;
    if (!any) {
      notes.push(`mode ${mode}: not measured (not offered by the server, or the run stopped before it)`);
      continue;
    }
    notes.push(`${mode} (flooding ${on ? 'on' : 'off'}): evaluation keys ${mb(any.evalKeyBytes)} MB (goal ≤ 50 MB) uploaded once per session; request overhead (transport, (de)serialization, queueing) ${(any.overheadPct as number).toFixed(1)} % of server computation (goal ≤ 5 %)`);
    if (on && off)
      notes.push(`${mode}: flooding costs ${(on.serverMs / off.serverMs).toFixed(2)}× server time per request and ${(on.evalKeyBytes / off.evalKeyBytes).toFixed(2)}× key bytes (N ${off.n} → ${on.n}, ${off.channels} → ${on.channels} channels: the planner reserves the flooding budget)`);
  }
  return notes;
}

/** Results so far (after every row: a long run that stops still leaves its rows). */
function save(): void {
  const notes = notesOf();
  writeResults('serve', { modelPath: basename(modelPath), workers, rounds, notes, rows });
  writeMarkdownTable('serve', 'bench:serve — encrypted inference over loopback', rows, notes);
}


for (const flooding of floodingEnv === 'both' ? [true, false] : [floodingEnv === 'on']) {
  const server = await startServer(flooding);
  try {
    const probe = await QheClient.connect(server.url, { fetch: nodeFetch });
    const modes = (modesEnv as ('batch' | 'single')[]).filter((m) => probe.card.modes[m]);
    for (const mode of modes) {
      const mc = probe.card.modes[mode]!;
      const count = mode === 'single' ? 1 : Number(process.env.QHE_BENCH_IMAGES ?? mc.maxImages);
      const px = images(count);
      const want = px.map((p) => forwardInteger(model, quantizeInput(model.input, p)));
      const runs: Record<string, number>[] = [];
      let exact = 0;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        const client = mode === 'batch' && r === 0 ? probe : await QheClient.connect(server.url, { mode, fetch: nodeFetch });
        const connectMs = performance.now() - t0;
        const res = await client.classify(px);
        await client.close();
        exact = res.predictions.filter((p, i) => p.logits.every((v, k) => v === want[i][k])).length;
        if (exact !== count) throw new Error(`bench:serve: ${exact}/${count} images bit-exact (mode ${mode}, flooding ${flooding})`);
        const t = res.timing;
        runs.push({
          keygenMs: client === probe ? t.keygenMs : Math.max(t.keygenMs, connectMs),
          encryptMs: t.encryptMs, serverMs: t.serverMs, decryptMs: t.decryptMs, totalMs: t.totalMs,
          requestMs: t.requestMs, overheadMs: t.overheadMs, uploadKeysMs: t.uploadKeysMs,
          evalKeyBytes: res.bytes.evaluationKeys, uploadBytes: res.bytes.upload, downloadBytes: res.bytes.download,
          // The server's own split of the request: waiting, reading the body (overlapped with computation in batch mode), loading frames, writing the answer.
          queueMs: res.server.reduce((a, x) => a + x.queueMs, 0), receiveMs: res.server.reduce((a, x) => a + x.receiveMs, 0),
          deserializeMs: res.server.reduce((a, x) => a + x.deserializeMs, 0), serializeMs: res.server.reduce((a, x) => a + x.serializeMs, 0),
        });
      }
      const med = (k: string): number => median(runs.map((x) => x[k]));
      rows.push({
        mode, model: model.name, images: count,
        keygenMs: med('keygenMs'), encryptMs: med('encryptMs'), serverMs: med('serverMs'), decryptMs: med('decryptMs'), totalMs: med('totalMs'),
        evalKeyBytes: med('evalKeyBytes'), uploadBytes: med('uploadBytes'), downloadBytes: med('downloadBytes'),
        flooding, n: mc.plan.polyDegree, channels: mc.channels.length, requestMs: med('requestMs'), overheadMs: med('overheadMs'),
        overheadPct: (100 * med('overheadMs')) / med('serverMs'), uploadKeysMs: med('uploadKeysMs'), bitExact: exact, rounds,
        queueMs: med('queueMs'), receiveMs: med('receiveMs'), deserializeMs: med('deserializeMs'), serializeMs: med('serializeMs'),
      });
      save();
      console.log(`bench:serve: ${mode}, flooding ${flooding ? 'on' : 'off'}: ${JSON.stringify(rows[rows.length - 1])}`);
    }
  } finally {
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
  }
}

const notes = notesOf();
save();
printTable(rows);
for (const n of notes) console.log(n);
console.log('wrote benchmarks/results/serve.json and serve.md');
