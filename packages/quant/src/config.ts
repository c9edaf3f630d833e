/**
 * `@qhe/quant/config`: what quant can train, without loading TF.js — the
 * network and activation names, the bit ranges and the model naming rule —
 * so that a command line can validate its flags and name its output file
 * before the (slow) training stack is loaded.
 */

export const NETWORKS = ['cryptonets', 'seed2'] as const;
export type NetworkName = (typeof NETWORKS)[number];

/** `relu` is the float teacher only; `square` is CryptoNets' x², `quadratic` the trainable a·x² + b·x + c. */
export const ACTIVATIONS = ['relu', 'square', 'quadratic'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Weight bits of a quantized linear layer. */
export const WEIGHT_BITS = { min: 2, max: 8 } as const;
/** Input bits: the input's real scale is 1/(2^bits − 1). */
export const INPUT_BITS = { min: 1, max: 8 } as const;

/** The fields of an experiment that name its integer model. */
export interface ModelNameFields {
  readonly network: NetworkName;
  readonly activation: Activation;
  readonly weightBits: number | null;
  readonly inputBits: number;
  readonly kd: boolean;
  readonly batchNorm?: boolean;
  readonly augment?: boolean;
}

/** "cryptonets-square-w8-in8-bn-aug": the exported model's name (and file stem). */
export function modelName(c: ModelNameFields): string {
  return `${c.network}-${c.activation}-w${c.weightBits ?? 8}-in${c.inputBits}${c.kd ? '-kd' : ''}${c.batchNorm ? '-bn' : ''}${c.augment ? '-aug' : ''}`;
}

/** One cell of the sweep grid, as `--cells` spells it: "network/activation/weightBits/inputBits/kd|nokd". */
export interface SweepCellFields {
  readonly network: NetworkName;
  readonly activation: Exclude<Activation, 'relu'>;
  readonly weightBits: number;
  readonly inputBits: number;
  readonly kd: boolean;
}

export const SWEEP_CELL_SYNTAX = 'network/activation/weightBits/inputBits/kd|nokd';

/** Reads "cryptonets/square/4/2/kd"; null when it is not a valid cell. */
export function parseSweepCell(text: string): SweepCellFields | null {
  const [network, activation, wb, ib, kd, ...rest] = text.split('/');
  const bits = (s: string | undefined, r: { min: number; max: number }): number | null =>
    s !== undefined && /^\d+$/.test(s) && Number(s) >= r.min && Number(s) <= r.max ? Number(s) : null;
  const weightBits = bits(wb, WEIGHT_BITS), inputBits = bits(ib, INPUT_BITS);
  if (rest.length || !(NETWORKS as readonly string[]).includes(network) || (activation !== 'square' && activation !== 'quadratic')
    || weightBits === null || inputBits === null || (kd !== 'kd' && kd !== 'nokd')) return null;
  return { network: network as NetworkName, activation, weightBits, inputBits, kd: kd === 'kd' };
}
