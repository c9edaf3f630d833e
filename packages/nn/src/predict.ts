/**
 * Predicted encrypted inference time of a plan on this machine: the plan's
 * operation counts (per CRT channel and batch: encryptions, scalar
 * multiply-adds of the integer-weighted sums, squares, relinearizations, mod
 * switches) times the time of each operation measured once at the plan's own
 * parameters. An operation at level ℓ is charged (primes at ℓ)/(primes at 0)
 * of its level-0 time (RNS work is linear in the limbs). Single-core time;
 * the worker pool divides the server part by its workers at best.
 *
 * Steps of `predictSeconds`:
 *   1. count the operations of every layer (`planOperations`);
 *   2. weight each count by its level's limb fraction and its op time;
 *   3. multiply by the CRT channels and the batches (⌈images / N⌉).
 */
import { BatchEncoder, BfvContext, Encryptor, Evaluator, KeyGenerator } from '@qhe/bfv';
import { compileLinear, tensorShapes, type IntegerModel } from '@qhe/quant/model';
import { channelParameters, type InferencePlan } from './planner/index.js';

/** Milliseconds of one operation at level 0 of a plan's chain (one CRT channel). */
export interface OpTimings {
  readonly encrypt: number;
  /** multiplyScalarAddInto on a size-2 ciphertext. */
  readonly mulAdd: number;
  /** square (tensor product and BEHZ scaling) of a size-2 ciphertext. */
  readonly square: number;
  readonly relinearize: number;
  readonly modSwitch: number;
}

/** Operation counts of one layer, per channel and batch. */
export interface LayerOps { readonly level: number; readonly mulAdd: number; readonly square: number; readonly relinearize: number; readonly modSwitch: number }

/** Step 1: what each layer costs in operations (same order as the server runs them). */
export function planOperations(plan: InferencePlan, model: IntegerModel): LayerOps[] {
  const shapes = tensorShapes(model.input.shape, model.layers);
  const levelOf: number[] = [0]; // level of tensor k
  const sizeOf: number[] = [2];
  return model.layers.map((layer, i) => {
    const lp = plan.layers[i];
    const inputs = shapes[i].reduce((a, b) => a * b, 1), outputs = lp.outputs;
    let modSwitch = levelOf[i] < lp.level ? inputs * (lp.level - levelOf[i]) : 0;
    let mulAdd = 0, square = 0;
    const sparse = compileLinear(layer, shapes[i], shapes[i + 1]);
    const size = layer.type === 'add' ? Math.max(sizeOf[i], sizeOf[layer.from]) : sizeOf[i];
    if (sparse) mulAdd = sparse.idx.length * (size / 2);
    if (layer.type === 'add') {
      mulAdd += inputs * (sizeOf[layer.from] / 2); // the kept tensor's factor, at its level
      modSwitch += inputs * (lp.level - levelOf[layer.from]);
    }
    if (layer.type === 'square' || layer.type === 'quadratic') { square = outputs; if (layer.type === 'quadratic') mulAdd = 2 * outputs; }
    const relinearize = lp.relinearizeAfter ? outputs : 0;
    levelOf.push(lp.level);
    sizeOf.push(lp.outSize);
    return { level: lp.level, mulAdd, square, relinearize, modSwitch };
  });
}

/** Steps 2–3: predicted seconds for `images` images on one core (client encryption included). */
export function predictSeconds(plan: InferencePlan, model: IntegerModel, t: OpTimings, images: number): number {
  const L = plan.coeffModulus.length;
  const inputs = model.input.shape.reduce((a, b) => a * b, 1);
  let ms = inputs * t.encrypt;
  for (const op of planOperations(plan, model)) {
    const f = (L - op.level) / L;
    ms += f * (op.mulAdd * t.mulAdd + op.square * t.square + op.relinearize * t.relinearize) + op.modSwitch * f * t.modSwitch;
  }
  return (ms * plan.plainModuli.length * Math.ceil(images / plan.polyDegree)) / 1000;
}

/** Measures OpTimings at the plan's parameters (median of `reps` after one warm-up); about a second at N = 8192. */
export function measureOpTimings(plan: InferencePlan, reps = 5): OpTimings {
  const ctx = new BfvContext(channelParameters(plan, 0));
  const keygen = new KeyGenerator(ctx);
  const enc = new Encryptor(ctx, { publicKey: keygen.createPublicKey() });
  const rk = keygen.createRelinKeys();
  const ev = new Evaluator(ctx);
  const pt = new BatchEncoder(ctx).encode([1, 2, 3], { signed: true });
  const time = (f: () => unknown): number => {
    f();
    const xs: number[] = [];
    for (let r = 0; r < reps; r++) { const t0 = performance.now(); f(); xs.push(performance.now() - t0); }
    return xs.sort((a, b) => a - b)[Math.floor(reps / 2)];
  };
  const a = enc.encrypt(pt), acc = enc.encrypt(pt);
  const sq = ev.square(a);
  const canSwitch = ctx.levels.length > 1;
  return {
    encrypt: time(() => enc.encrypt(pt)),
    mulAdd: time(() => ev.multiplyScalarAddInto(a, 12345n, acc)),
    square: time(() => ev.square(a)),
    relinearize: time(() => ev.relinearize(sq, rk)),
    modSwitch: canSwitch ? time(() => ev.modSwitchToNext(a)) : 0,
  };
}

