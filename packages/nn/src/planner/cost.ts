/**
 * Cost model: the relative cost of a schedule, in units of one scalar
 * operation on one residue polynomial of degree N (so an NTT of one residue
 * is ≈ log2 N units). Used to choose among feasible (N, L, k): only ratios
 * matter. Per layer type:
 * - linear: one scalar multiply-add per non-zero term, per ciphertext polynomial, per prime;
 * - product (x²): ≈ 70·log2 N per output and prime (BEHZ tensor and base conversions);
 * - relinearization: ≈ 25·log2 N per output and prime (key switching);
 * - encryption of the inputs: ≈ 60 per input and prime of Q·P.
 * The constants are rough operation counts (NTTs and base conversions per
 * step), good enough to rank candidates, not to predict seconds.
 *
 * Pluggable like the noise model: one rule per layer type; a planning mode
 * with another layout supplies its own `CostModel`.
 */
import type { LayerFacts } from './facts.js';

export interface CostEnv {
  readonly n: number;
  /** Data primes of the full chain (L). */
  readonly dataPrimes: number;
}

/** Cost of one layer's own operation with `primes` primes at its level and input ciphertext `size`. */
export type LayerCostRule = (facts: LayerFacts, primes: number, size: number, env: CostEnv) => number;

export interface CostModel {
  /** Encrypting `inputs` features (client side, one channel, one batch). */
  encryption(inputs: number, env: CostEnv): number;
  relinearization(facts: LayerFacts, primes: number, env: CostEnv): number;
  readonly layers: Readonly<Record<string, LayerCostRule>>;
}

const scalarTerms: LayerCostRule = (f, primes, size) => f.terms * size * primes;
/** The add's terms plus the kept tensor's factor (one scalar product per element, at its level: charged at this one). */
const residualTerms: LayerCostRule = (f, primes, size) => (f.terms + f.outputs) * size * primes;
const product: LayerCostRule = (f, primes, _size, env) => f.outputs * 70 * primes * Math.log2(env.n);
const free: LayerCostRule = () => 0;

/** CryptoNets slot batching (one ciphertext per neuron). */
export const batchedCostModel: CostModel = Object.freeze({
  encryption: (inputs: number, env: CostEnv) => inputs * 60 * (env.dataPrimes + 1),
  relinearization: (f: LayerFacts, primes: number, env: CostEnv) => f.outputs * 25 * primes * Math.log2(env.n),
  layers: Object.freeze({ conv2d: scalarTerms, dense: scalarTerms, sumPool: scalarTerms, add: residualTerms, square: product, quadratic: product, flatten: free }),
});

export function costRule(model: CostModel, type: string): LayerCostRule {
  const rule = model.layers[type];
  if (rule === undefined) throw new TypeError(`costRule: expected a layer type with a cost rule (${Object.keys(model.layers).join(', ')}), got ${JSON.stringify(type)}`);
  return rule;
}

/** Cost of one channel of one batch: encryption, then every layer at its scheduled level. */
export function channelCost(model: CostModel, env: CostEnv, facts: readonly LayerFacts[], relin: readonly boolean[], levels: readonly number[], inputs: number): number {
  let c = model.encryption(inputs, env);
  let size = 2;
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i];
    const primes = env.dataPrimes - levels[i];
    c += costRule(model, f.type)(f, primes, size, env);
    if (f.role === 'multiply') size = 3;
    if (relin[i]) { c += model.relinearization(f, primes, env); size = 2; }
  }
  return c * env.n;
}
