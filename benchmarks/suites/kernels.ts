/**
 * `pnpm bench:kernels`: per-limb cost of the ring kernels against node-seal.
 * For N ∈ {4096, 8192, 16384}: forward NTT, inverse NTT and pointwise multiply on
 * one limb for `u32` (largest allowed prime) and `u64` (largest allowed prime),
 * and node-seal 6.0.3's transformToNtt / transformFromNtt on a fresh ciphertext
 * with CoeffModulus.BFVDefault(N), divided by its limb count (2 polys × L).
 * `nsPerLimbBit` = time per limb / prime bits, so kernels with different word
 * sizes compare per bit of modulus they process. node-seal runs in a worker
 * thread of its own (peers/seal-thread.ts explains why).
 */
import { Bench } from 'tinybench';
import { nttPrimes, u32Kernel, u64Kernel, type Kernel } from '@qhe/bfv/math';
import { SealThread } from '../lib/seal-thread-client.js';
import { medianMs, printTable, writeResults } from '../lib/report.js';

interface Row {
  impl: 'u32' | 'u64' | 'node-seal';
  n: number;
  op: 'ntt' | 'intt' | 'mul';
  primeBits: number;
  usPerLimb: number;
  nsPerLimbBit: number;
}

const sizes = (process.env.QHE_BENCH_N ?? '4096,8192,16384').split(',').map(Number);
const timeMs = Number(process.env.QHE_BENCH_TIME_MS ?? 600);

function kernelTasks(bench: Bench, kernel: Kernel, n: number, meta: Map<string, Omit<Row, 'usPerLimb' | 'nsPerLimbBit'>>): void {
  const [q] = nttPrimes({ bits: kernel.maxPrimeBits, n, count: 1 });
  const ops = kernel.modulus(q, n);
  const a = kernel.alloc(n), b = kernel.alloc(n), out = kernel.alloc(n);
  ops.fromBigInts(Array.from({ length: n }, (_, i) => (BigInt(i) * 0x9e3779b97f4a7c15n) % q), a);
  ops.fromBigInts(Array.from({ length: n }, (_, i) => (BigInt(i + 7) * 0xd1b54a32d192ed03n) % q), b);
  const name = (op: string): string => `${kernel.name} ${op} N=${n}`;
  const add = (op: Row['op'], fn: () => void): void => {
    bench.add(name(op), fn);
    meta.set(name(op), { impl: kernel.name, n, op, primeBits: ops.bits });
  };
  add('ntt', () => ops.forwardNtt(a));
  add('intt', () => ops.inverseNtt(a));
  add('mul', () => ops.mul(a, b, out));
}

async function main(): Promise<void> {
  // node-seal in its own isolate (peers/seal-thread.ts explains why), timed before ours at each N.
  const peer = await SealThread.start();
  const rows: Row[] = [];
  try {
    for (const n of sizes) {
      const info = await peer.api.setupNtt(n);
      const peerMs = await peer.api.benchNtt({ time: timeMs, iterations: 20 });
      const peerBits = Math.round((info.primeBits.reduce((s, b) => s + b, 0) / info.primeBits.length) * 10) / 10;
      for (const op of ['ntt', 'intt'] as const) {
        const usPerLimb = (peerMs[op] / info.limbs) * 1e3;
        rows.push({ impl: 'node-seal', n, op, primeBits: peerBits, usPerLimb, nsPerLimbBit: (usPerLimb * 1e3) / peerBits });
      }
      const bench = new Bench({ time: timeMs, iterations: 20, warmup: true });
      const meta = new Map<string, Omit<Row, 'usPerLimb' | 'nsPerLimbBit'>>();
      kernelTasks(bench, u32Kernel, n, meta);
      kernelTasks(bench, u64Kernel, n, meta);
      await bench.run();
      for (const task of bench.tasks) {
        const usPerLimb = medianMs(task) * 1e3;
        const m = meta.get(task.name)!;
        rows.push({ ...m, usPerLimb, nsPerLimbBit: (usPerLimb * 1e3) / m.primeBits });
      }
    }
  } finally {
    await peer.close();
  }
  const ratios = sizes.map((n) => {
    const get = (impl: string, op: string): Row | undefined => rows.find((r) => r.n === n && r.impl === impl && r.op === op);
    const ratio = (impl: string, op: string): number => get(impl, op)!.nsPerLimbBit / get('node-seal', op)!.nsPerLimbBit;
    return { n, u32NttVsSeal: ratio('u32', 'ntt'), u32InttVsSeal: ratio('u32', 'intt'), u64NttVsSeal: ratio('u64', 'ntt') };
  });
  printTable(rows as unknown as Record<string, unknown>[]);
  console.log('\nnsPerLimbBit ratios (ours / node-seal, same run):');
  printTable(ratios);
  console.log('\nwrote', writeResults('kernels', { rows, ratios }));
}

await main();
