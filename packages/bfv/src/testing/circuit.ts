/**
 * Circuits as plain data, and the two ways of running them.
 *
 * A circuit is a list of operations over numbered wires, so that fast-check can
 * generate, print and shrink it like any other value, and the same object can be
 * replayed on plaintext vectors (`referenceEvaluate`, slotwise arithmetic mod t:
 * the specification) and on ciphertexts (`runEncrypted`: the implementation).
 * A property test then only has to say "decrypt(runEncrypted) = referenceEvaluate".
 *
 * Wires: 0 … inputs−1 are the encrypted inputs; operation k writes wire
 * inputs + k. Plaintext operands are referenced by index into a separate list of
 * plain inputs (they are never wires: a plaintext cannot be the result of a
 * homomorphic operation). The circuit's output is its last wire.
 *
 * Slot layout (BatchEncoder): the N slots are a 2 × N/2 matrix, row r holding
 * slots r·N/2 … (r+1)·N/2 − 1. rotateRows(k) rotates each row left by k (slot i of
 * a row receives the old slot (i + k) mod N/2; k < 0 rotates right); rotateColumns
 * swaps the two rows.
 */
import type { Ciphertext, Plaintext } from '../ciphertext.js';
import type { KeySet } from './keys.js';

export type CircuitOp =
  | { readonly op: 'add'; readonly a: number; readonly b: number }
  | { readonly op: 'sub'; readonly a: number; readonly b: number }
  | { readonly op: 'negate'; readonly a: number }
  | { readonly op: 'addPlain'; readonly a: number; readonly plain: number }
  | { readonly op: 'subPlain'; readonly a: number; readonly plain: number }
  | { readonly op: 'multiplyPlain'; readonly a: number; readonly plain: number }
  | { readonly op: 'multiplyScalar'; readonly a: number; readonly scalar: bigint }
  /** Ciphertext product followed by relinearization (result has size 2). */
  | { readonly op: 'multiply'; readonly a: number; readonly b: number }
  /** Square followed by relinearization. */
  | { readonly op: 'square'; readonly a: number }
  | { readonly op: 'rotateRows'; readonly a: number; readonly steps: number }
  | { readonly op: 'rotateColumns'; readonly a: number }
  | { readonly op: 'modSwitch'; readonly a: number };

export type CircuitOpName = CircuitOp['op'];

export interface Circuit {
  /** Number of encrypted inputs (wires 0 … inputs − 1). */
  readonly inputs: number;
  /** Number of plaintext operands referenced by addPlain / subPlain / multiplyPlain. */
  readonly plainInputs: number;
  /** Operation k writes wire `inputs + k`; the last wire is the output. */
  readonly ops: readonly CircuitOp[];
}

/** Every wire's value, and the output (the last wire). */
export interface Trace<T> {
  readonly wires: readonly T[];
  readonly output: T;
}

/** Slot values of a plaintext or an input, as numbers or bigints. */
export type Slots = ArrayLike<number | bigint>;

function mod(x: bigint, t: bigint): bigint {
  const r = x % t;
  return r < 0n ? r + t : r;
}

/** Inputs as full-length vectors of residues in [0, t): short vectors are zero-padded like the encoder does. */
function normalise(values: Slots, t: bigint, n: number): bigint[] {
  if (values.length > n) throw new RangeError(`referenceEvaluate: expected at most ${n} slot values, got ${values.length}`);
  const out = new Array<bigint>(n).fill(0n);
  for (let i = 0; i < values.length; i++) out[i] = mod(BigInt(values[i]), t);
  return out;
}

/** The slot permutation of rotateRows(k): out[i] = in[rowStart + (i − rowStart + k) mod N/2]. */
export function rotateRowsReference<T>(values: readonly T[], steps: number): T[] {
  const n = values.length;
  const half = n / 2;
  const k = ((steps % half) + half) % half;
  return values.map((_, i) => {
    const row = i < half ? 0 : half;
    return values[row + ((i - row + k) % half)];
  });
}

/** rotateColumns: the two rows swap. */
export function rotateColumnsReference<T>(values: readonly T[]): T[] {
  const half = values.length / 2;
  return values.map((_, i) => values[i < half ? i + half : i - half]);
}

function checkWire(fn: string, circuit: Circuit, k: number, w: number): void {
  if (!Number.isInteger(w) || w < 0 || w >= circuit.inputs + k)
    throw new RangeError(`${fn}: op ${k} reads wire ${w}, expected one of 0 … ${circuit.inputs + k - 1}`);
}

function operands(op: CircuitOp): number[] {
  return 'b' in op ? [op.a, op.b] : [op.a];
}

/**
 * The specification: slotwise arithmetic mod t on plain vectors. `inputs` holds
 * the `circuit.inputs` encrypted inputs followed by the `circuit.plainInputs`
 * plaintext operands (each up to n values, zero-padded). Levels play no part:
 * modSwitch is the identity on messages.
 */
export function referenceEvaluate(circuit: Circuit, inputs: readonly Slots[], t: bigint | number, n: number): Trace<bigint[]> {
  const T = BigInt(t);
  if (inputs.length !== circuit.inputs + circuit.plainInputs)
    throw new RangeError(`referenceEvaluate: expected ${circuit.inputs + circuit.plainInputs} input vectors, got ${inputs.length}`);
  const wires = inputs.slice(0, circuit.inputs).map((v) => normalise(v, T, n));
  const plains = inputs.slice(circuit.inputs).map((v) => normalise(v, T, n));
  const zip = (x: bigint[], y: bigint[], f: (u: bigint, v: bigint) => bigint): bigint[] => x.map((u, i) => mod(f(u, y[i]), T));
  circuit.ops.forEach((op, k) => {
    for (const w of operands(op)) checkWire('referenceEvaluate', circuit, k, w);
    const a = wires[op.a];
    let r: bigint[];
    switch (op.op) {
      case 'add': r = zip(a, wires[op.b], (u, v) => u + v); break;
      case 'sub': r = zip(a, wires[op.b], (u, v) => u - v); break;
      case 'negate': r = a.map((u) => mod(-u, T)); break;
      case 'addPlain': r = zip(a, plains[op.plain], (u, v) => u + v); break;
      case 'subPlain': r = zip(a, plains[op.plain], (u, v) => u - v); break;
      case 'multiplyPlain': r = zip(a, plains[op.plain], (u, v) => u * v); break;
      case 'multiplyScalar': r = a.map((u) => mod(u * BigInt(op.scalar), T)); break;
      case 'multiply': r = zip(a, wires[op.b], (u, v) => u * v); break;
      case 'square': r = a.map((u) => mod(u * u, T)); break;
      case 'rotateRows': r = rotateRowsReference(a, op.steps); break;
      case 'rotateColumns': r = rotateColumnsReference(a); break;
      case 'modSwitch': r = a.slice(); break;
      default: throw new RangeError(`referenceEvaluate: unknown op ${JSON.stringify(op)}`);
    }
    wires.push(r);
  });
  if (wires.length === 0) throw new RangeError('referenceEvaluate: a circuit needs at least one wire');
  return { wires, output: wires[wires.length - 1] };
}

export interface RunOptions {
  /** Encrypt array inputs with the secret key (default: the public key). */
  readonly symmetric?: boolean;
  /** Observe every wire as it is produced (e.g. to record noise budgets). */
  readonly onWire?: (wire: number, ct: Ciphertext) => void;
}

/**
 * The implementation: the same circuit on ciphertexts. Encrypted inputs may be
 * given as slot vectors (encoded and encrypted with `keys`) or as ciphertexts;
 * plaintext operands as slot vectors or Plaintexts. Errors of the scheme
 * (TRANSPARENT_RESULT, PARAMETER_MISMATCH for mixed levels, …) propagate.
 */
export function runEncrypted(
  circuit: Circuit,
  inputs: readonly (Slots | Ciphertext | Plaintext)[],
  keys: KeySet,
  options: RunOptions = {},
): Trace<Ciphertext> {
  const { encoder, encryptor, evaluator: ev, relinKeys, galoisKeys } = keys;
  if (inputs.length !== circuit.inputs + circuit.plainInputs)
    throw new RangeError(`runEncrypted: expected ${circuit.inputs + circuit.plainInputs} inputs, got ${inputs.length}`);
  const isCt = (x: unknown): x is Ciphertext => typeof x === 'object' && x !== null && 'polys' in x;
  const isPt = (x: unknown): x is Plaintext => typeof x === 'object' && x !== null && 'data' in x && 'context' in x;
  const wires: Ciphertext[] = inputs.slice(0, circuit.inputs).map((v) => {
    if (isCt(v)) return v;
    const pt = isPt(v) ? v : encoder.encode(v as Slots);
    return options.symmetric ? encryptor.encryptSymmetric(pt) : encryptor.encrypt(pt);
  });
  wires.forEach((ct, i) => options.onWire?.(i, ct));
  const plains: Plaintext[] = inputs.slice(circuit.inputs).map((v) => (isPt(v) && !isCt(v) ? v : encoder.encode(v as Slots)));
  circuit.ops.forEach((op, k) => {
    for (const w of operands(op)) checkWire('runEncrypted', circuit, k, w);
    const a = wires[op.a];
    let r: Ciphertext;
    switch (op.op) {
      case 'add': r = ev.add(a, wires[op.b]); break;
      case 'sub': r = ev.sub(a, wires[op.b]); break;
      case 'negate': r = ev.negate(a); break;
      case 'addPlain': r = ev.addPlain(a, plains[op.plain]); break;
      case 'subPlain': r = ev.subPlain(a, plains[op.plain]); break;
      case 'multiplyPlain': r = ev.multiplyPlain(a, plains[op.plain]); break;
      case 'multiplyScalar': r = ev.multiplyScalar(a, op.scalar); break;
      case 'multiply': r = ev.relinearize(ev.multiply(a, wires[op.b]), relinKeys); break;
      case 'square': r = ev.relinearize(ev.square(a), relinKeys); break;
      case 'rotateRows': r = ev.rotateRows(a, op.steps, galoisKeys); break;
      case 'rotateColumns': r = ev.rotateColumns(a, galoisKeys); break;
      case 'modSwitch': r = ev.modSwitchToNext(a); break;
      default: throw new RangeError(`runEncrypted: unknown op ${JSON.stringify(op)}`);
    }
    wires.push(r);
    options.onWire?.(wires.length - 1, r);
  });
  if (wires.length === 0) throw new RangeError('runEncrypted: expected a circuit with at least one wire, got none');
  return { wires, output: wires[wires.length - 1] };
}

/** Decrypts and decodes a ciphertext to its N slot values (bigints in [0, t)). */
export function decryptSlots(keys: KeySet, ct: Ciphertext): bigint[] {
  return keys.encoder.decodeBigInt(keys.decryptor.decrypt(ct));
}

/** Wires each wire depends on, transitively (itself included): the paths along which noise can only grow. */
export function ancestors(circuit: Circuit): Set<number>[] {
  const out: Set<number>[] = Array.from({ length: circuit.inputs }, (_, i) => new Set([i]));
  circuit.ops.forEach((op, k) => {
    const s = new Set<number>([circuit.inputs + k]);
    for (const w of operands(op)) for (const x of out[w]) s.add(x);
    out.push(s);
  });
  return out;
}

/** Human-readable one-line form, for failure messages. */
export function formatCircuit(circuit: Circuit): string {
  const parts = circuit.ops.map((op, k) => {
    const args = Object.entries(op)
      .filter(([key]) => key !== 'op')
      .map(([key, v]) => (key === 'a' || key === 'b' ? `w${v}` : key === 'plain' ? `p${v}` : String(v)));
    return `w${circuit.inputs + k}=${op.op}(${args.join(',')})`;
  });
  return `[in: w0…w${circuit.inputs - 1}; plain: ${circuit.plainInputs}] ${parts.join('; ')}`;
}
