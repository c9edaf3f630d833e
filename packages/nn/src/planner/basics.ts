/** The options every planning mode (batch, single) resolves the same way. */
import { minPlainModulus, type IntegerModel } from '@qhe/quant/model';
import type { PlanBasics, PlanOptions } from './types.js';

/** Kernel, prime sizes, margin and the plaintext bound, from the options shared by every planning mode. */
export function planBasics(model: IntegerModel, options: Pick<PlanOptions, 'kernel' | 'maxPlainBits' | 'marginBits'>): PlanBasics {
  const kernel = options.kernel ?? 'u32';
  const primeBits = kernel === 'u32' ? 29 : 60;
  let maxAbs = 0n;
  for (const t of model.tensors) if (t.maxAbs > maxAbs) maxAbs = t.maxAbs;
  return {
    kernel, primeBits, maxPlainBits: Math.min(options.maxPlainBits ?? primeBits - 1, primeBits - 1),
    marginBits: options.marginBits ?? 10, maxAbs, need: minPlainModulus(model),
  };
}
