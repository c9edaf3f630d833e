/**
 * Flags and helpers shared by several subcommands: the model file (explicit
 * `--model`, or the default named in `packages/quant/models/manifest.json`),
 * the image count, the kernel, the output format and the progress display.
 */
import { existsSync, readFileSync } from 'node:fs';
import { QheError } from '@qhe/bfv';
import { defaultModelPath } from '@qhe/quant/data';
import { parseIntegerModel, type IntegerModel } from '@qhe/quant/model';
import { userPath, type CliIo } from './command.js';
import { boolFlag, choiceFlag, intFlag, stringFlag } from './flags.js';
import { PROGRESS_MODES } from './progress.js';

export const modelFlag = stringFlag({ help: 'integer-model JSON (qhe-integer-model)', placeholder: 'PATH', defaultLabel: 'the default of packages/quant/models/manifest.json' });
export const imagesFlag = intFlag({ help: 'MNIST test images to classify (one batch holds N of them, one per slot)', default: 8192, min: 1, max: 10000 });
export const kernelFlag = choiceFlag({ help: 'NTT kernel: u32 (fast, primes < 2^29) or u64 (BigInt reference)', choices: ['u32', 'u64'], default: 'u32' });
export const modeFlag = choiceFlag({ help: 'batch: one image per slot, N images per run (throughput); single: one image in packed ciphertexts (latency)', choices: ['batch', 'single'], default: 'batch' });
export const jsonFlag = boolFlag({ help: 'print one JSON report on stdout instead of text' });
export const progressFlag = choiceFlag({ help: 'progress on stderr: bars on a terminal, plain lines otherwise (auto), or forced', choices: PROGRESS_MODES, default: 'auto' });

/** The model to use: `--model` (relative to the caller's directory) or the manifest's default. */
export function modelPath(io: CliIo, given: string | undefined): string {
  return given === undefined ? defaultModelPath() : userPath(io, given);
}

export function loadModel(command: string, path: string): IntegerModel {
  const where = `${command} --model`;
  if (!existsSync(path)) throw new QheError('INVALID_ARGUMENT', `${where}: expected an existing integer-model JSON file, got ${JSON.stringify(path)} (no such file)`);
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new QheError('INVALID_ARGUMENT', `${where}: expected a readable file, got ${JSON.stringify(path)} (${(e as Error).message})`);
  }
  try { return parseIntegerModel(text); } catch (e) {
    const err = e as Error & { code?: string };
    throw new QheError('INVALID_ARGUMENT', `${where}: expected a valid qhe-integer-model JSON, got ${JSON.stringify(path)}: ${err.code ? `[${err.code}] ` : ''}${err.message}`);
  }
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}
