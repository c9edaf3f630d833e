/**
 * fast-check arbitraries for BFV: parameters, slot vectors, scalars and circuits.
 *
 * Everything here is built to *succeed* on a correct implementation: parameters
 * leave room for at least one multiplication, scalars are never ≡ 0 (mod t),
 * plaintext operands are never zero, and circuits stay within a multiplicative
 * depth, align levels before mixing them, and never ask for a result the scheme
 * must refuse as transparent. A failing property is then a bug, not a generator
 * artefact. fast-check is an optional peer dependency of @qhe/bfv; only this
 * entry point imports it.
 */
import fc from 'fast-check';
import type { BfvContext } from '../context.js';
import type { KernelName } from '../math/kernel.js';
import type { BfvParameterLiteral } from '../params.js';
import type { Circuit, CircuitOp, CircuitOpName } from './circuit.js';

export interface ArbParametersOptions {
  readonly kernels?: readonly KernelName[];
  readonly minLogN?: number;
  readonly maxLogN?: number;
  /** Number of data primes (default 3 … 4). */
  readonly minPrimes?: number;
  readonly maxPrimes?: number;
  /** Bit sizes of the data primes (default 27 … 29, valid for both kernels). */
  readonly minPrimeBits?: number;
  readonly maxPrimeBits?: number;
  /** Extra bits of t above log2(2N) (default 1 … 4): t stays small so that one product fits. */
  readonly maxExtraPlainBits?: number;
}

/**
 * Small, insecure (allowInsecure), batching parameter literals with one special
 * prime. Defaults give ≥ 80 bits of data modulus against t of ≤ 17 bits, enough
 * for a relinearized product (a product costs about log2 t + log2 N bits).
 */
export function arbParameters(options: ArbParametersOptions = {}): fc.Arbitrary<BfvParameterLiteral> {
  const kernels = options.kernels ?? ['u32'];
  const minLogN = options.minLogN ?? 10;
  const maxLogN = options.maxLogN ?? 11;
  const minPrimes = options.minPrimes ?? 3;
  const maxPrimes = options.maxPrimes ?? 4;
  const minBits = options.minPrimeBits ?? 27;
  const maxBits = options.maxPrimeBits ?? 29;
  const extra = options.maxExtraPlainBits ?? 4;
  if (minLogN < 10 || maxLogN > 16 || minLogN > maxLogN) throw new RangeError(`arbParameters: expected 10 ≤ minLogN ≤ maxLogN ≤ 16, got ${minLogN}, ${maxLogN}`);
  return fc
    .record({
      kernel: fc.constantFrom(...kernels),
      logN: fc.integer({ min: minLogN, max: maxLogN }),
      primes: fc.array(fc.integer({ min: minBits, max: maxBits }), { minLength: minPrimes, maxLength: maxPrimes }),
      special: fc.integer({ min: minBits, max: maxBits }),
      extraPlainBits: fc.integer({ min: 1, max: extra }),
    })
    .map(({ kernel, logN, primes, special, extraPlainBits }) => ({
      polyDegree: 1 << logN,
      kernel,
      coeffModulus: primes,
      specialModulus: [special],
      // The smallest batching t for N has log2(2N) + 1 bits.
      plainModulus: { batchingBits: logN + 1 + extraPlainBits },
      allowInsecure: true,
    }));
}

export interface MessageOptions {
  /** Centred values in [−⌊t/2⌋, ⌊(t−1)/2⌋] instead of [0, t). */
  readonly signed?: boolean;
  /** Length of the vector (default n: every slot; shorter vectors are zero-padded by the encoder). */
  readonly minLength?: number;
}

/** Vectors of up to n plaintext values mod t, as bigints. */
export function arbMessage(t: bigint | number, n: number, options: MessageOptions = {}): fc.Arbitrary<bigint[]> {
  const T = BigInt(t);
  const min = options.signed ? -(T >> 1n) : 0n;
  const max = options.signed ? (T - 1n) >> 1n : T - 1n;
  return fc.array(fc.bigInt({ min, max }), { minLength: options.minLength ?? n, maxLength: n });
}

/** Full slot vectors for a context's BatchEncoder. */
export function arbSlots(context: BfvContext, options: MessageOptions = {}): fc.Arbitrary<bigint[]> {
  return arbMessage(context.t, context.n, options);
}

/** A slot vector that is not all zero (a zero plaintext makes multiplyPlain refuse, by design). */
export function arbNonZeroSlots(t: bigint | number, n: number): fc.Arbitrary<bigint[]> {
  return arbMessage(t, n).map((v) => (v.some((x) => x !== 0n) ? v : [1n, ...v.slice(1)]));
}

/**
 * An integer constant c ≢ 0 (mod t), signed and sometimes outside [0, t) (the
 * evaluator reduces it): small values, full-range values, and values near ±t.
 */
export function arbScalar(t: bigint | number): fc.Arbitrary<bigint> {
  const T = BigInt(t);
  return fc
    .oneof(fc.bigInt({ min: -8n, max: 8n }), fc.bigInt({ min: -(T - 1n), max: T - 1n }), fc.bigInt({ min: -3n * T, max: 3n * T }))
    .filter((c) => c % T !== 0n);
}

export const ALL_CIRCUIT_OPS: readonly CircuitOpName[] = Object.freeze([
  'add',
  'sub',
  'negate',
  'addPlain',
  'subPlain',
  'multiplyPlain',
  'multiplyScalar',
  'multiply',
  'square',
  'rotateRows',
  'rotateColumns',
  'modSwitch',
]);

export interface ArbCircuitOptions {
  /** Plain modulus (scalars are drawn mod t). */
  readonly t: bigint | number;
  /** Ring degree (rotation steps satisfy |k| < N/2). */
  readonly n: number;
  /** Operations to draw from (default: all). */
  readonly ops?: readonly CircuitOpName[];
  readonly maxInputs?: number;
  readonly plainInputs?: number;
  /** Drawn operations (some are dropped to respect the constraints, level alignment adds some). */
  readonly maxOps?: number;
  /** Largest level a wire may reach (number of modSwitches along a path). Default 1. */
  readonly maxLevel?: number;
}

/** Products count one level of depth whatever their operand: full-range plaintexts and scalars cost about as much noise as a ciphertext. */
const MULTIPLICATIVE = new Set<CircuitOpName>(['multiply', 'square', 'multiplyPlain', 'multiplyScalar']);
const BINARY = new Set<CircuitOpName>(['add', 'sub', 'multiply']);
const PLAIN = new Set<CircuitOpName>(['addPlain', 'subPlain', 'multiplyPlain']);

// Fingerprints: each wire's c1 modelled as an element of Z_F, linear in the
// inputs, to spot the combinations whose c1 cancels exactly (x − x, x + (−x),
// 3x + (t−3)x, …), which the scheme refuses as transparent. Deterministic, so
// that mapping a drawn instruction list to a circuit is a pure function.
const F = (1n << 61n) - 1n;
function hash(...parts: (string | number | bigint)[]): bigint {
  let h = 0xcbf29ce484222325n;
  for (const c of parts.join('|')) {
    h ^= BigInt(c.charCodeAt(0));
    h = (h * 0x100000001b3n) & ((1n << 64n) - 1n);
  }
  return (h % (F - 2n)) + 2n;
}
const fmod = (x: bigint): bigint => ((x % F) + F) % F;

interface Drawn {
  readonly kind: CircuitOpName;
  readonly a: number;
  readonly b: number;
  readonly plain: number;
  readonly scalar: bigint;
  readonly steps: number;
}

/**
 * Random circuits of multiplicative depth ≤ `depth` (every product counts, see
 * MULTIPLICATIVE), as plain data. Binary operations on wires of different levels
 * get explicit modSwitch operations first. Pair with `arbCircuitInputs`.
 */
export function arbCircuit(depth: number, options: ArbCircuitOptions): fc.Arbitrary<Circuit> {
  const T = BigInt(options.t);
  const half = options.n / 2;
  const kinds = options.ops ?? ALL_CIRCUIT_OPS;
  const plainInputs = kinds.some((k) => PLAIN.has(k)) ? (options.plainInputs ?? 2) : 0;
  const maxLevel = options.maxLevel ?? 1;
  const drawn: fc.Arbitrary<Drawn> = fc.record({
    kind: fc.constantFrom(...kinds),
    a: fc.nat(),
    b: fc.nat(),
    plain: fc.nat(Math.max(0, plainInputs - 1)),
    scalar: arbScalar(T),
    steps: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.integer({ min: -(half - 1), max: half - 1 })),
  });
  return fc
    .record({
      inputs: fc.integer({ min: 1, max: options.maxInputs ?? 3 }),
      drawn: fc.array(drawn, { minLength: 1, maxLength: options.maxOps ?? 8 }),
    })
    .map(({ inputs, drawn }) => build(inputs, plainInputs, drawn, depth, maxLevel, T));
}

function build(inputs: number, plainInputs: number, drawn: readonly Drawn[], depth: number, maxLevel: number, t: bigint): Circuit {
  const ops: CircuitOp[] = [];
  const wireDepth: number[] = [];
  const wireLevel: number[] = [];
  const print: bigint[] = [];
  for (let i = 0; i < inputs; i++) {
    wireDepth.push(0);
    wireLevel.push(0);
    print.push(hash('input', i));
  }
  const push = (op: CircuitOp, d: number, level: number, f: bigint): number => {
    ops.push(op);
    wireDepth.push(d);
    wireLevel.push(level);
    print.push(f);
    return print.length - 1;
  };
  const lower = (w: number, level: number): number => {
    while (wireLevel[w] < level) w = push({ op: 'modSwitch', a: w }, wireDepth[w], wireLevel[w] + 1, fmod(print[w] * hash('modSwitch', wireLevel[w])));
    return w;
  };
  for (const d of drawn) {
    const count = print.length;
    let a = d.a % count;
    let b = d.b % count;
    if (BINARY.has(d.kind) && wireLevel[a] !== wireLevel[b]) {
      const level = Math.max(wireLevel[a], wireLevel[b]);
      a = lower(a, level);
      b = lower(b, level);
    }
    const level = wireLevel[a];
    const dep = MULTIPLICATIVE.has(d.kind) ? Math.max(wireDepth[a], BINARY.has(d.kind) ? wireDepth[b] : 0) + 1 : Math.max(wireDepth[a], BINARY.has(d.kind) ? wireDepth[b] : 0);
    if (dep > depth) continue;
    const fa = print[a], fb = print[b];
    switch (d.kind) {
      case 'add':
      case 'sub': {
        const f = fmod(d.kind === 'add' ? fa + fb : fa - fb);
        if (f === 0n) continue; // would be transparent
        push({ op: d.kind, a, b }, dep, level, f);
        break;
      }
      case 'negate':
        push({ op: 'negate', a }, dep, level, fmod(-fa));
        break;
      case 'addPlain':
      case 'subPlain':
        push({ op: d.kind, a, plain: d.plain }, dep, level, fa);
        break;
      case 'multiplyPlain':
        push({ op: 'multiplyPlain', a, plain: d.plain }, dep, level, fmod(fa * hash('plain', d.plain)));
        break;
      case 'multiplyScalar': {
        // The evaluator multiplies by the centred representative of c mod t.
        let c = ((d.scalar % t) + t) % t;
        if (c > t >> 1n) c -= t;
        push({ op: 'multiplyScalar', a, scalar: d.scalar }, dep, level, fmod(fa * c));
        break;
      }
      case 'multiply':
        push({ op: 'multiply', a, b }, dep, level, fmod(fa * fb * hash('multiply')));
        break;
      case 'square':
        push({ op: 'square', a }, dep, level, fmod(fa * fa * hash('multiply')));
        break;
      case 'rotateRows': {
        const k = d.steps;
        push({ op: 'rotateRows', a, steps: k }, dep, level, k === 0 ? fa : fmod(fa * hash('rotate', k)));
        break;
      }
      case 'rotateColumns':
        push({ op: 'rotateColumns', a }, dep, level, fmod(fa * hash('columns')));
        break;
      case 'modSwitch':
        if (level >= maxLevel) continue;
        lower(a, level + 1);
        break;
    }
  }
  return { inputs, plainInputs, ops };
}

/**
 * Input vectors for a circuit: `circuit.inputs` slot vectors, then its plaintext
 * operands (never all zero). The shape `referenceEvaluate` and `runEncrypted` take.
 */
export function arbCircuitInputs(circuit: Circuit, t: bigint | number, n: number): fc.Arbitrary<bigint[][]> {
  return fc.tuple(
    ...Array.from({ length: circuit.inputs }, () => arbMessage(t, n)),
    ...Array.from({ length: circuit.plainInputs }, () => arbNonZeroSlots(t, n)),
  );
}

/** A circuit with matching inputs, in one arbitrary (for fc.property). */
export function arbCircuitWithInputs(depth: number, options: ArbCircuitOptions): fc.Arbitrary<{ circuit: Circuit; inputs: bigint[][] }> {
  return arbCircuit(depth, options).chain((circuit) => arbCircuitInputs(circuit, options.t, options.n).map((inputs) => ({ circuit, inputs })));
}
