/**
 * What a packed program needs from the HE engine, per CRT channel
 * (`SingleBackend`), over the synchronous Evaluator or the worker pool. The
 * server (server.ts) prepares each op once per channel (diagonals encoded and
 * lifted to Q·P by bfv's LinearTransform) and calls the backend per image.
 */
import { Evaluator, QheError, type BfvContext, type Ciphertext, type GaloisKeys, type LinearTransform, type Plaintext, type RelinKeys } from '@qhe/bfv';
import { ParallelEvaluator, type WorkerPool } from '@qhe/bfv/parallel';

export interface SingleBackend {
  readonly name: string;
  /** Prepared transforms live in shared memory when the backend computes on workers. */
  readonly sharedTransforms: boolean;
  transform(inputs: readonly Ciphertext[], lt: LinearTransform): Promise<Ciphertext>;
  addPlain(x: Ciphertext, pt: Plaintext): Promise<Ciphertext>;
  /** x² relinearized. */
  square(x: Ciphertext): Promise<Ciphertext>;
  /** a·x² + b·x + c: a, b integers (mod t) or plaintext vectors, not both zero; c a plaintext (null: zero). */
  polynomial(x: Ciphertext, a: bigint | Plaintext, b: bigint | Plaintext, c: Plaintext | null): Promise<Ciphertext>;
  modSwitchTo(x: Ciphertext, level: number): Promise<Ciphertext>;
}

export interface SingleBackendKeys {
  readonly relinKeys: RelinKeys;
  readonly galoisKeys: GaloisKeys;
}

/** x² · a + x · b (+ c) on an Evaluator-like object; a term with a zero factor is dropped. */
async function polynomialWith(
  ops: {
    square(x: Ciphertext): Promise<Ciphertext>;
    scale(x: Ciphertext, f: bigint | Plaintext): Promise<Ciphertext>;
    add(a: Ciphertext, b: Ciphertext): Promise<Ciphertext>;
    addPlain(x: Ciphertext, pt: Plaintext): Promise<Ciphertext>;
  },
  x: Ciphertext,
  a: bigint | Plaintext,
  b: bigint | Plaintext,
  c: Plaintext | null,
): Promise<Ciphertext> {
  const zero = (f: bigint | Plaintext): boolean => (typeof f === 'bigint' ? f === 0n : f.isZero());
  let y: Ciphertext | null = null;
  if (!zero(a)) {
    const sq = await ops.square(x);
    y = a === 1n ? sq : await ops.scale(sq, a);
  }
  if (!zero(b)) {
    const bx = b === 1n ? x : await ops.scale(x, b);
    y = y ? await ops.add(y, bx) : bx;
  }
  // a ≡ b ≡ 0 (mod t_j) makes the activation a public constant: the server encrypts it instead.
  if (!y) throw new QheError('INVALID_ARGUMENT', 'SingleBackend.polynomial: expected a or b non-zero, got both zero');
  return c && !c.isZero() ? ops.addPlain(y, c) : y;
}

/** One core: the synchronous Evaluator. */
export class EvaluatorSingleBackend implements SingleBackend {
  readonly name = 'evaluator (1 thread)';
  readonly sharedTransforms = false;
  private readonly ev: Evaluator;

  constructor(readonly context: BfvContext, private readonly keys: SingleBackendKeys) {
    this.ev = new Evaluator(context);
  }

  async transform(inputs: readonly Ciphertext[], lt: LinearTransform): Promise<Ciphertext> {
    return this.ev.linearTransform(inputs, lt, this.keys.galoisKeys);
  }
  async addPlain(x: Ciphertext, pt: Plaintext): Promise<Ciphertext> {
    return this.ev.addPlainInto(x, pt, x);
  }
  async square(x: Ciphertext): Promise<Ciphertext> {
    return this.ev.relinearize(this.ev.square(x), this.keys.relinKeys);
  }
  polynomial(x: Ciphertext, a: bigint | Plaintext, b: bigint | Plaintext, c: Plaintext | null): Promise<Ciphertext> {
    const ev = this.ev;
    return polynomialWith(
      {
        square: (v) => this.square(v),
        scale: async (v, f) => (typeof f === 'bigint' ? ev.multiplyScalar(v, f) : ev.multiplyPlain(v, f)),
        add: async (u, v) => ev.add(u, v),
        addPlain: async (v, pt) => ev.addPlainInto(v, pt, v),
      },
      x, a, b, c,
    );
  }
  async modSwitchTo(x: Ciphertext, level: number): Promise<Ciphertext> {
    return x.level === level ? x : this.ev.modSwitchTo(x, level);
  }
}

/**
 * The worker pool: every op is one job, so the CRT channels — independent
 * circuits the server runs concurrently — spread over the workers; a single
 * multiply is split across workers only when there are fewer channels than workers.
 */
export class PoolSingleBackend implements SingleBackend {
  readonly name: string;
  readonly sharedTransforms = true;
  private readonly pe: ParallelEvaluator;

  constructor(readonly context: BfvContext, pool: WorkerPool, private readonly keys: SingleBackendKeys, channels: number) {
    this.pe = new ParallelEvaluator(context, pool, { limbParallel: channels < pool.size && context.n >= 4096 });
    this.name = `worker pool (${pool.size} workers)`;
  }

  transform(inputs: readonly Ciphertext[], lt: LinearTransform): Promise<Ciphertext> {
    return this.pe.linearTransform(inputs, lt, this.keys.galoisKeys);
  }
  addPlain(x: Ciphertext, pt: Plaintext): Promise<Ciphertext> {
    return this.pe.addPlain(x, pt);
  }
  async square(x: Ciphertext): Promise<Ciphertext> {
    return this.pe.multiplyRelinearize(x, x, this.keys.relinKeys);
  }
  polynomial(x: Ciphertext, a: bigint | Plaintext, b: bigint | Plaintext, c: Plaintext | null): Promise<Ciphertext> {
    const pe = this.pe;
    return polynomialWith(
      {
        square: (v) => this.square(v),
        scale: (v, f) => (typeof f === 'bigint' ? pe.multiplyScalar(v, f) : pe.multiplyPlain(v, f)),
        add: (u, v) => pe.add(u, v),
        addPlain: (v, pt) => pe.addPlain(v, pt),
      },
      x, a, b, c,
    );
  }
  modSwitchTo(x: Ciphertext, level: number): Promise<Ciphertext> {
    return x.level === level ? Promise.resolve(x) : this.pe.modSwitchTo(x, level);
  }
}
