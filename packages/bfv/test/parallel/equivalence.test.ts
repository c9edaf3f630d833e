/**
 * ParallelEvaluator = Evaluator, bit for bit: random circuits (fast-check) run
 * as a DAG of concurrent promises on a 2-worker pool against runEncrypted on the
 * same input ciphertexts, and every batch call against its sequential loop.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext, Ciphertext, LinearTransform, Evaluator, type Plaintext } from '@qhe/bfv';
import { OPERATIONS, ParallelEvaluator, WorkerPool, type EvaluatorOpName, type OperationArgs } from '@qhe/bfv/parallel';
import { arbCircuitWithInputs, cachedKeys, formatCircuit, runEncrypted, smallParameters, type Circuit } from '@qhe/bfv/testing';

const ctx = new BfvContext(smallParameters('u32', { primes: 4 }));
const keys = cachedKeys(ctx);
const pool = new WorkerPool({ size: 2 });
const pe = new ParallelEvaluator(ctx, pool);
const limbs = new ParallelEvaluator(ctx, pool, { limbParallel: true });
afterAll(() => pool.close());

const bits = (ct: Ciphertext) => ({ level: ct.level, polys: ct.polys.map((p) => Array.from(p.data)) });
const encrypt = (values: readonly bigint[]) => keys.encryptor.encrypt(keys.encoder.encode(values));

/** The circuit on the pool: each wire a promise of its operands, so independent wires run concurrently. */
async function runParallel(ev: ParallelEvaluator, circuit: Circuit, cts: Ciphertext[], plains: Plaintext[]): Promise<Ciphertext[]> {
  const wires: Promise<Ciphertext>[] = cts.map((c) => Promise.resolve(c));
  const { relinKeys: rk, galoisKeys: gk } = keys;
  circuit.ops.forEach((op, k) => {
    const w = (async () => {
      const a = await wires[op.a];
      const b = 'b' in op ? await wires[op.b] : a;
      switch (op.op) {
        case 'add': return ev.add(a, b);
        case 'sub': return ev.sub(a, b);
        case 'negate': return ev.negate(a);
        case 'addPlain': return ev.addPlain(a, plains[op.plain]);
        case 'subPlain': return ev.subPlain(a, plains[op.plain]);
        case 'multiplyPlain': return ev.multiplyPlain(a, plains[op.plain]);
        case 'multiplyScalar': return ev.multiplyScalar(a, op.scalar);
        // Alternate the fused call and multiply-then-relinearize.
        case 'multiply': return k % 2 ? ev.multiplyRelinearize(a, b, rk) : ev.relinearize(await ev.multiply(a, b), rk);
        case 'square': return ev.relinearize(await ev.square(a), rk);
        case 'rotateRows': return ev.rotateRows(a, op.steps, gk);
        case 'rotateColumns': return ev.rotateColumns(a, gk);
        case 'modSwitch': return ev.modSwitchToNext(a);
      }
    })();
    w.catch(() => undefined); // awaited below; avoid an unhandled rejection if a later wire fails first
    wires.push(w);
  });
  return Promise.all(wires);
}

describe('ParallelEvaluator matches Evaluator bit for bit', () => {
  it('random circuits (depth ≤ 2, all ops, concurrent wires; whole-op and limb-parallel multiply)', async () => {
    await fc.assert(
      fc.asyncProperty(arbCircuitWithInputs(2, { t: ctx.t, n: ctx.n, maxOps: 8, maxLevel: 1 }), fc.boolean(), async ({ circuit, inputs }, split) => {
        const cts = inputs.slice(0, circuit.inputs).map(encrypt);
        const plains = inputs.slice(circuit.inputs).map((v) => keys.encoder.encode(v));
        const want = runEncrypted(circuit, [...cts, ...plains], keys).wires;
        const got = await runParallel(split ? limbs : pe, circuit, cts, plains);
        got.forEach((g, i) => expect(bits(g), `${formatCircuit(circuit)} wire ${i}`).toEqual(bits(want[i])));
      }),
      { numRuns: 10 },
    );
  });

  const xs = Array.from({ length: 6 }, (_, i) => encrypt([BigInt(i + 1), 2n, 3n]));
  const ys = Array.from({ length: 6 }, (_, i) => encrypt([5n, BigInt(i + 7), 11n]));
  const ev = keys.evaluator;

  it('multiplyMany, relinearizeMany, multiplyRelinearizeMany, rotateRowsMany, modSwitchToNextMany', async () => {
    const products = xs.map((x, i) => ev.multiply(x, ys[i]));
    const relin = products.map((p) => ev.relinearize(p, keys.relinKeys));
    expect((await pe.multiplyMany(xs, ys)).map(bits)).toEqual(products.map(bits));
    expect((await pe.relinearizeMany(products, keys.relinKeys)).map(bits)).toEqual(relin.map(bits));
    expect((await pe.multiplyRelinearizeMany(xs, ys, keys.relinKeys)).map(bits)).toEqual(relin.map(bits));
    expect((await pe.rotateRowsMany(xs, -3, keys.galoisKeys)).map(bits)).toEqual(xs.map((x) => bits(ev.rotateRows(x, -3, keys.galoisKeys))));
    expect((await pe.modSwitchToNextMany(xs)).map(bits)).toEqual(xs.map((x) => bits(ev.modSwitchToNext(x))));
  });

  it('every Evaluator operation in the pool\'s table (perform) equals the Evaluator, and every Evaluator …Into method has an entry', async () => {
    const [x, y] = [xs[0], ys[0]];
    const pt = keys.encoder.encode([4n, 0n, 9n]);
    const p3 = ev.multiply(x, y);
    const { relinKeys: rk, galoisKeys: gk } = keys;
    const lt = LinearTransform.create(ctx, {
      level: 0,
      inputs: 2,
      terms: [
        { input: 0, baby: 3, giant: 1, diagonal: pt },
        { input: 1, baby: 1, giant: 9, diagonal: -2n },
      ],
    });
    type Case<K extends EvaluatorOpName> = { args: OperationArgs<K>; acc?: Ciphertext; want: () => Ciphertext };
    const cases: { [K in EvaluatorOpName]: Case<K> } = {
      add: { args: [x, y], want: () => ev.add(x, y) },
      sub: { args: [x, y], want: () => ev.sub(x, y) },
      negate: { args: [x], want: () => ev.negate(x) },
      addPlain: { args: [x, pt], want: () => ev.addPlain(x, pt) },
      subPlain: { args: [x, pt], want: () => ev.subPlain(x, pt) },
      multiplyPlain: { args: [x, pt], want: () => ev.multiplyPlain(x, pt) },
      multiplyScalar: { args: [x, -7n], want: () => ev.multiplyScalar(x, -7n) },
      multiplyScalarAdd: { args: [y, 5], acc: ev.multiplyScalar(x, 3), want: () => ev.multiplyScalarAddInto(y, 5, ev.multiplyScalar(x, 3)) },
      multiply: { args: [x, y], want: () => ev.multiply(x, y) },
      square: { args: [x], want: () => ev.square(x) },
      multiplyRelinearize: { args: [x, y, rk], want: () => ev.relinearize(ev.multiply(x, y), rk) },
      relinearize: { args: [p3, rk], want: () => ev.relinearize(p3, rk) },
      applyGalois: { args: [x, 3, gk], want: () => ev.applyGalois(x, 3, gk) },
      rotateRows: { args: [x, 5, gk], want: () => ev.rotateRows(x, 5, gk) },
      rotateColumns: { args: [x, gk], want: () => ev.rotateColumns(x, gk) },
      modSwitchToNext: { args: [x], want: () => ev.modSwitchToNext(x) },
      rotateRowsMany: { args: [x, [1, 5], gk], want: () => ev.rotateRowsMany(x, [1, 5], gk)[0] },
      applyGaloisMany: { args: [x, [3, 1], gk], want: () => ev.applyGaloisMany(x, [3, 1], gk)[0] },
      linearTransform: { args: [[x, y], lt, gk], want: () => ev.linearTransform([x, y], lt, gk) },
    };
    const entries = Object.entries(OPERATIONS).filter(([, e]) => e.kind === 'evaluator').map(([name]) => name);
    expect(Object.keys(cases).sort()).toEqual(entries.sort());
    for (const [name, c] of Object.entries(cases) as [EvaluatorOpName, Case<EvaluatorOpName>][]) {
      const want = bits(c.want());
      const [got] = await pe.perform(name, c.args, c.acc ? [c.acc] : undefined);
      expect(bits(got), name).toEqual(want);
      // The batch form, twice over the same arguments.
      if (!c.acc) for (const [r] of await pe.performMany(name, [c.args, c.args])) expect(bits(r), `${name} (many)`).toEqual(want);
    }
    // Reachability: every public …Into method of the Evaluator is an entry (copyInto is a private helper).
    const into = Object.getOwnPropertyNames(Evaluator.prototype).filter((m) => m.endsWith('Into') && m !== 'copyInto');
    expect(into.length).toBeGreaterThan(10);
    for (const m of into) expect(entries, m).toContain(m.slice(0, -'Into'.length));
  });

  it('limb-parallel multiply and square equal the sequential ones', async () => {
    expect(bits(await limbs.multiply(xs[0], ys[0]))).toEqual(bits(ev.multiply(xs[0], ys[0])));
    expect(bits(await limbs.square(xs[1]))).toEqual(bits(ev.square(xs[1])));
  });

  it('limb-parallel multiply on the u64 kernel too (its words are bigints)', async () => {
    const c64 = new BfvContext(smallParameters('u64', { primes: 2 }));
    const k64 = cachedKeys(c64);
    const x = k64.encryptor.encrypt(k64.encoder.encode([3n, 5n, 7n])), y = k64.encryptor.encrypt(k64.encoder.encode([2n, 4n, 6n]));
    const par = new ParallelEvaluator(c64, pool, { limbParallel: true });
    expect(bits(await par.multiply(x, y))).toEqual(bits(k64.evaluator.multiply(x, y)));
    expect(bits(await par.square(x))).toEqual(bits(k64.evaluator.square(x)));
  });

  it('linearMany equals the sequential multiplyScalar / multiplyScalarAddInto loop', async () => {
    const taps = 3, outputs = 7;
    const index = Array.from({ length: outputs * taps }, (_, k) => (k * 5 + 1) % xs.length);
    const weight = Array.from({ length: outputs * taps }, (_, k) => ((k * 7) % 17) - 8 || 3);
    const want = Array.from({ length: outputs }, (_, o) => {
      const acc = ev.multiplyScalar(xs[index[o * taps]], weight[o * taps]);
      for (let k = 1; k < taps; k++) ev.multiplyScalarAddInto(xs[index[o * taps + k]], weight[o * taps + k], acc);
      return acc;
    });
    expect((await pe.linearMany(xs, { taps, index, weight })).map(bits)).toEqual(want.map(bits));
  });

  it('map runs a function per ciphertext with keys and args', async () => {
    const got = await pe.map(xs, (ct, env) => env.evaluator.multiplyScalar(env.evaluator.relinearize(env.evaluator.square(ct), env.relinKeys!), (env.args as number) + env.index), {
      relinKeys: keys.relinKeys,
      args: 2,
    });
    expect(got.map(bits)).toEqual(xs.map((x, i) => bits(ev.multiplyScalar(ev.relinearize(ev.square(x), keys.relinKeys), 2 + i))));
  });

  it('…Into writes in place, also when out aliases an input', async () => {
    const a = xs[2].clone(), b = ys[2];
    const want = ev.relinearize(ev.multiply(a, b), keys.relinKeys);
    await pe.multiplyInto(a, b, a);
    await pe.relinearizeInto(a, keys.relinKeys, a);
    expect(bits(a)).toEqual(bits(want));
    const acc = ev.multiplyScalar(xs[3], 5);
    const wantAcc = ev.multiplyScalarAddInto(ys[3], -4, acc.clone());
    expect(bits(await pe.multiplyScalarAddInto(ys[3], -4, acc))).toEqual(bits(wantAcc));
    const out = Ciphertext.empty(ctx, 0, 2, true);
    const data = out.polys[0].data;
    await pe.addInto(xs[4], ys[4], out);
    expect(out.polys[0].data).toBe(data);
    expect(bits(out)).toEqual(bits(ev.add(xs[4], ys[4])));
  });

  it('parameters beyond the defaults reach the workers (keySwitchDigitSize: 2)', async () => {
    const c2 = new BfvContext({ ...smallParameters('u32', { primes: 4 }), specialModulus: [29, 29], keySwitchDigitSize: 2 });
    const k2 = cachedKeys(c2);
    const pe2 = new ParallelEvaluator(c2, pool);
    const a = k2.encryptor.encrypt(k2.encoder.encode([3n, 4n]));
    const want = k2.evaluator.relinearize(k2.evaluator.square(a), k2.relinKeys);
    expect(bits(await pe2.multiplyRelinearize(a, a, k2.relinKeys))).toEqual(bits(want));
  });
});
