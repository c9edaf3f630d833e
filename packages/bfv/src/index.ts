/**
 * `@qhe/bfv`: the BFV scheme (Fan–Vercauteren 2012) in full RNS (HPS 2019 by default, BEHZ 2016 selectable), on
 * two kernels behind one interface. See README.md for the notation table.
 *
 * @module @qhe/bfv
 */
export { bfvParameters, PRESETS, MAX_LOG_Q, DEFAULT_MULTIPLICATION } from './params.js';
export type { BfvParameterLiteral, BfvParameters, MultiplicationVariant, PresetName, SecurityLevel } from './params.js';
export { BfvContext } from './context.js';
export type { LevelData } from './context.js';
export type { BehzTool } from './behz.js';
export type { HpsTool } from './hps.js';
export { Plaintext, Ciphertext } from './ciphertext.js';
export { KeyGenerator, SecretKey, PublicKey, RelinKeys, GaloisKeys, KSwitchKey, galoisElementForStep, keyBaseAt, expandKeySeed } from './keys.js';
export type { KeyOptions } from './keys.js';
export { Encryptor } from './encryptor.js';
export type { EncryptorKeys } from './encryptor.js';
export { Decryptor } from './decryptor.js';
export { BatchEncoder, CoefficientEncoder } from './encoder.js';
export type { EncodeOptions } from './encoder.js';
export { Evaluator } from './evaluator.js';
export { NoiseFlooder, floodingWidthBits, floodingReserveBits, noiseBoundForBudget, DEFAULT_FLOODING_SECURITY } from './flooding.js';
export type { FloodingOptions } from './flooding.js';
export { LinearTransform } from './linear-transform.js';
export type { LinearTransformTerm, LinearTransformOptions, PreparedTerm } from './linear-transform.js';
export { commonKeyId } from './key-id.js';
export { QheError } from './math/errors.js';
export type { QheErrorCode } from './math/errors.js';
export type { KernelName } from './math/kernel.js';
export { systemRandom, seededRandom, randomSeed } from './math/sampling.js';
export type { RandomSource } from './math/sampling.js';
export * from './serialization.js';
