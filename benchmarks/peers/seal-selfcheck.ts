/**
 * `node benchmarks/dist/peers/seal-selfcheck.js [n,...]`: runs every node-seal
 * peer closure, checks its result by decryption, and prints a rough median
 * time per closure and the noise budgets. It is a correctness gate for the
 * peer library, not a benchmark: timings come from ~10 back-to-back calls on a
 * noisy shared machine and are only meant to catch gross mistakes (an
 * allocation or a slow path on the timed route). Env: QHE_SELFCHECK_WORKLOADS=0
 * skips workloads A and C (their setup encrypts ~1000 ciphertexts).
 */
import { performance } from 'node:perf_hooks';
import { bfvOpNames, loadSeal, sealBfvOps, sealNttTasks, sealWorkloadA, sealWorkloadC } from './seal.js';

function medianMs(fn: () => void, runs = 10): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return runs % 2 ? times[runs >> 1] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
}

const fmt = (ms: number): string => (ms < 1 ? ms.toFixed(3) : ms.toFixed(2));

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '4096,8192').split(',').map(Number);
  const workloads = process.env.QHE_SELFCHECK_WORKLOADS !== '0';
  const seal = await loadSeal();
  console.log(`node-seal ${seal.Version}, node ${process.version}`);

  for (const n of sizes) {
    console.log(`\n=== n = ${n} ===`);

    const ntt = sealNttTasks(seal, n);
    try {
      const nttMs = medianMs(ntt.ntt), inttMs = medianMs(ntt.intt), copyMs = medianMs(ntt.copy);
      ntt.verify();
      console.log(`NTT (verify ok): limbs=${ntt.limbs} primeBits=[${ntt.primeBits.join(',')}]`);
      console.log(
        `  ntt ${fmt(nttMs)} ms (${fmt((nttMs / ntt.limbs) * 1e3)} µs/limb)  intt ${fmt(inttMs)} ms (${fmt((inttMs / ntt.limbs) * 1e3)} µs/limb)  ` +
          `copy ${fmt(copyMs)} ms (${((100 * copyMs) / nttMs).toFixed(1)}% of ntt)`,
      );
    } finally {
      ntt.dispose();
    }

    const ops = sealBfvOps(seal, n);
    try {
      ops.verify();
      console.log(`BFV: logQ=${ops.logQ} keyPrimeBits=[${ops.keyPrimeBits.join(',')}] t=${ops.t} (${Math.ceil(Math.log2(ops.t))} bits)`);
      console.log(`  budgets: fresh ${ops.freshBudget} bits, after multiply+relinearize ${ops.budgetAfterMulRelin} bits`);
      for (const name of bfvOpNames) console.log(`  ${name.padEnd(16)} ${fmt(medianMs(ops.ops[name]))} ms`);
      ops.verify(); // the timed repetitions must leave correct results too
      console.log('  verify: ok');
    } finally {
      ops.dispose();
    }

    if (!workloads) continue;

    const a = sealWorkloadA(seal, n, 64);
    try {
      const ms = medianMs(a.run, 3);
      a.verify();
      console.log(`workload A (64 × multiply+relinearize): ${fmt(ms)} ms (median of 3), budget ${a.budget()} bits, verify ok`);
    } finally {
      a.dispose();
    }

    const c = sealWorkloadC(seal, n);
    try {
      const ms = medianMs(c.run, 3);
      c.verify();
      console.log(
        `workload C (${c.plan.outputs} outputs × ${c.plan.taps} taps, ${c.plan.inputs} inputs): ${fmt(ms)} ms (median of 3), ` +
          `budget ${c.budget()} bits, verify ok`,
      );
    } finally {
      c.dispose();
    }
  }
}

await main();
