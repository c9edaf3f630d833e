/**
 * Level schedule: where to relinearize and where to switch modulus.
 * - Relinearization is lazy: after a product, unless the next real layer is
 *   linear, in which case after that linear layer (it has fewer outputs than
 *   the product had inputs, so fewer key switches; CryptoNets does the same).
 * - Modulus switching is greedy: at the input of every layer the ciphertexts
 *   drop to the lowest level (fewest primes) from which the rest of the
 *   circuit still ends with the safety margin (SEAL's advice for CryptoNets).
 */
import type { LayerFacts } from './facts.js';
import { simulate, type NoiseEnv, type NoiseModel } from './noise.js';

/**
 * relin[i]: relinearize the outputs of layer i. A product whose output a
 * residual `add` reads later is relinearized at once: the kept ciphertexts
 * wait several layers, and both summands of the add must be size 2.
 */
export function relinSchedule(facts: readonly LayerFacts[]): boolean[] {
  const out = facts.map(() => false);
  const kept = new Set(facts.flatMap((f) => {
    if (f.from === undefined || f.from === 0) return [];
    let k = f.from - 1; // the layer producing tensor `from`, past reshapes
    while (k > 0 && facts[k].role === 'reshape') k--;
    return [k];
  }));
  let pending = false;
  for (let i = 0; i < facts.length; i++) {
    const role = facts[i].role;
    if (role === 'multiply') {
      if (pending) out[i - 1] = true; // unreachable in valid order, kept for safety
      pending = true;
      if (kept.has(i)) { out[i] = true; pending = false; continue; }
      let j = i + 1;
      while (j < facts.length && facts[j].role === 'reshape') j++;
      if (j >= facts.length || facts[j].role !== 'linear') { out[i] = true; pending = false; }
    } else if (pending && role === 'linear') {
      out[i] = true; pending = false;
    }
  }
  return out;
}

/** The greedy mod-switch schedule (levels[i] = level of layer i's inputs), or null when even level 0 misses the margin. */
export function scheduleLevels(model: NoiseModel, env: NoiseEnv, facts: readonly LayerFacts[], relin: readonly boolean[], margin: number): number[] | null {
  const L = env.levelLogQ.length;
  const levels = facts.map(() => 0);
  const ok = (lv: number[]): boolean => { const r = simulate(model, env, facts, relin, lv); return r.length === 0 || r[r.length - 1] >= margin; };
  if (!ok(levels)) return null;
  for (let i = 0; i < facts.length; i++) {
    if (facts[i].role === 'reshape') { levels[i] = i > 0 ? levels[i - 1] : 0; continue; }
    const cur = i > 0 ? levels[i - 1] : 0;
    let best = cur;
    for (let l = L - 1; l > cur; l--) {
      const trial = levels.slice();
      for (let j = i; j < trial.length; j++) trial[j] = l;
      if (ok(trial)) { best = l; break; }
    }
    for (let j = i; j < levels.length; j++) levels[j] = best;
  }
  return levels;
}
