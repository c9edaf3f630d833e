/** The planner's inputs and outputs (see `index.ts` for how a plan is chosen). */
import type { KernelName } from '@qhe/bfv';

export interface PlanOptions {
  /** Images per run (fills slots; N ≥ images is preferred but not required). Default 8192. */
  readonly images?: number;
  readonly kernel?: KernelName;
  /** Force the ring degree. */
  readonly polyDegree?: number;
  /** Cap on the bits of each plaintext prime (forces CRT in tests). */
  readonly maxPlainBits?: number;
  /** Safety margin in bits left at the end. Default 10. */
  readonly marginBits?: number;
  /** Lift the security bound (tests with tiny N). */
  readonly allowInsecure?: boolean;
  /**
   * Statistical security λ of the noise flooding the server applies to the
   * returned logits (circuit privacy); the plan reserves its budget. Default
   * none (no flooding): the in-process demo returns nothing to anyone.
   */
  readonly floodingSecurity?: number;
}

/** Noise flooding planned for the outputs (see `PlanOptions.floodingSecurity`). */
export interface FloodingPlan {
  /** λ: the returned logits are within statistical distance 2^−λ of any other weights' (same plan). */
  readonly statisticalSecurity: number;
  /** Ciphertexts flooded together (outputs × channels): the union bound's k. */
  readonly ciphertexts: number;
  /** Budget bits reserved above the margin. */
  readonly reserveBits: number;
}

export interface LayerPlan {
  readonly index: number;
  readonly type: string;
  /** Level the inputs are switched to before this layer. */
  readonly level: number;
  /** Relinearize the outputs of this layer (lazily after the linear layer that follows a square). */
  readonly relinearizeAfter: boolean;
  /** Ciphertext size of the outputs. */
  readonly outSize: number;
  readonly predictedBudget: number;
  readonly outputs: number;
}

/** What every plan fixes, in batch and single mode: the BFV parameters of its CRT channels and the noise summary. */
export interface PlanParameters {
  readonly model: string;
  readonly polyDegree: number;
  readonly kernel: KernelName;
  readonly coeffModulus: readonly bigint[];
  readonly specialModulus: readonly bigint[];
  readonly plainModuli: readonly bigint[];
  readonly logQ: number;
  readonly logQP: number;
  readonly securityBound: number | null;
  readonly maxAbs: bigint;
  readonly marginBits: number;
  readonly freshBudget: number;
  readonly predictedFinalBudget: number;
  /** The cost model's estimate, in its units (batch: whole run, `cost.ts`; single: one image on the critical path). */
  readonly estimatedCost: number;
  readonly allowInsecure: boolean;
  /** Flooding of the outputs the plan reserves budget for, or null (none). */
  readonly flooding: FloodingPlan | null;
}

export interface InferencePlan extends PlanParameters {
  readonly layers: readonly LayerPlan[];
}

/** The options every planner resolves the same way (batch and single mode). */
export interface PlanBasics {
  readonly kernel: KernelName;
  /** Bits of each data prime: 29 for u32, 60 for u64. */
  readonly primeBits: number;
  /** Largest plaintext prime size: one bit below the data primes (so no t_j equals a q_i), or the option's cap. */
  readonly maxPlainBits: number;
  readonly marginBits: number;
  /** Largest |value| of any tensor of the model. */
  readonly maxAbs: bigint;
  /** 2·maxAbs + 1: the product of the t_j must reach it. */
  readonly need: bigint;
}
