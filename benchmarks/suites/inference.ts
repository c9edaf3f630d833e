/**
 * `pnpm bench:inference` → benchmarks/results/inference.json.
 *
 * (1) vs-node-seal: the CryptoNets network (Gilad-Bachrach et al. ICML 2016)
 *     on 8192 MNIST images with the plan of `qhe plan`, ours vs the same network
 *     and plan on node-seal 6.0.3 (benchmarks/peers/seal-cryptonets.ts — not
 *     written yet: peerMs/ratio are null until it lands).
 * (2) bits-8 / bits-low: Legiest et al. 2023 (seed 2) on our engine — the 8-bit
 *     model vs the lowest-bit model of the quant sweep; the time reduction is
 *     1 − low/8-bit.
 *
 * Each case runs the `qhe` CLI (`--json`) in a child process, so the suite needs
 * no model/data loader of its own and measures exactly the main job.
 * Env: QHE_BENCH_IMAGES (default 8192).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, writeResults } from '../lib/report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'packages', 'nn', 'dist', 'cli', 'qhe.js');
const images = Number(process.env.QHE_BENCH_IMAGES ?? 8192);
const workers = availableParallelism();

interface Report {
  model: string; images: number; workers: number;
  plan: { n: number; logQ: number; tCount: number };
  accuracy: { encrypted: number }; bitExact: number; ms: { total: number; server: number };
}

function run(model: string | null): Report {
  const args = [cli, '--json', '--images', String(images), '--workers', String(workers), ...(model ? ['--model', model] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 })) as Report;
}

/** The lowest-bit model (weightBits ≤ 4 in its file name) among the committed and sweep models. */
function lowBitModel(): string | null {
  for (const dir of ['models', join('results', 'models')].map((d) => join(root, 'packages', 'quant', d))) {
    if (!existsSync(dir)) continue;
    const hits = readdirSync(dir).filter((f) => /-w([1-4])-/.test(f) && f.endsWith('.json')).sort();
    if (hits.length) return join(dir, hits[0]);
  }
  return null;
}

const rows: Record<string, unknown>[] = [];
const row = (kase: string, r: Report, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  case: kase, model: r.model, images: r.images, workers: r.workers, n: r.plan.n, logQ: r.plan.logQ, tCount: r.plan.tCount,
  oursMs: r.ms.total, accuracy: r.accuracy.encrypted, bitExact: r.bitExact, ...extra,
});

const eight = run(null);
rows.push(row('vs-node-seal', eight, { peerMs: null, ratio: null, note: 'node-seal CryptoNets peer not implemented yet' }));
rows.push(row('bits-8', eight));
const low = lowBitModel();
if (low) {
  const r = run(low);
  rows.push(row('bits-low', r, { timeReduction: 1 - r.ms.total / eight.ms.total }));
} else rows.push({ case: 'bits-low', model: null, note: 'no ≤4-bit model in packages/quant/models or results/models yet' });

printTable(rows);
console.log(`wrote ${writeResults('inference', { images, rows })}`);
