/**
 * Shared by the service tests: small integer models (so N = 1024–2048 with
 * allowInsecure plans them), deterministic test images, and a `qhe serve`
 * child process on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIntegerModel, serializeIntegerModel, type IntegerLayer, type IntegerModel } from '@qhe/quant/model';

export const CLI = fileURLToPath(new URL('../../dist/cli/qhe.js', import.meta.url));

/** Deterministic small integers (no Math.random: reproducible failures). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 6×6×1 input (4-bit), conv 3×3×2 stride 2, square, dense 18 → 4: depth 1, small enough for N = 2048. */
export function tinyModel(seed = 7, weightMax = 7, name = 'tiny'): IntegerModel {
  const r = lcg(seed);
  const w = (k: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * weightMax));
  const layers: IntegerLayer[] = [
    { type: 'conv2d', kernelShape: [3, 3, 1, 2], weights: w(18), bias: [3n, -5n], stride: [2, 2], padding: { top: 1, left: 1, bottom: 0, right: 0 } },
    { type: 'square' },
    { type: 'flatten' },
    { type: 'dense', weightShape: [18, 4], weights: w(72), bias: [1n, 0n, -2n, 7n] },
  ];
  return buildIntegerModel({ name, input: { shape: [6, 6, 1], bits: 4, min: 0, max: 15, levels: 15, scale: 1 / 15 }, layers, metadata: { classNames: ['a', 'b', 'c', 'd'], floatAccuracy: 0.5 } });
}

/** 4×4×1 input (4-bit), conv 2×2×2 stride 2, square, dense 8 → 3: the cheapest model with every layer kind of CryptoNets (load tests). */
export function microModel(seed = 5, name = 'micro'): IntegerModel {
  const r = lcg(seed);
  const w = (k: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * 7));
  const layers: IntegerLayer[] = [
    { type: 'conv2d', kernelShape: [2, 2, 1, 2], weights: w(8), bias: [2n, -1n], stride: [2, 2], padding: { top: 0, left: 0, bottom: 0, right: 0 } },
    { type: 'square' },
    { type: 'flatten' },
    { type: 'dense', weightShape: [8, 3], weights: w(24), bias: [1n, -3n, 2n] },
  ];
  return buildIntegerModel({ name, input: { shape: [4, 4, 1], bits: 4, min: 0, max: 15, levels: 15, scale: 1 / 15 }, layers });
}

/** u8 pixel images (HWC) for a 6×6×1 model. */
export function pixelImages(count: number, seed = 11, size = 36): Uint8Array[] {
  const r = lcg(seed);
  return Array.from({ length: count }, () => Uint8Array.from({ length: size }, () => Math.floor(r() * 256)));
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `qhe-${prefix}-`));
}

export function writeModel(dir: string, model: IntegerModel): string {
  const path = join(dir, `${model.name}.json`);
  writeFileSync(path, serializeIntegerModel(model));
  return path;
}

export interface ServerProcess {
  readonly url: string;
  readonly proc: ChildProcess;
  /** Everything the server printed. */
  output(): string;
  /** SIGTERM and the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `qhe serve` in a child process (built CLI), resolved once it prints its URL; `nodeArgs` go to node itself. */
export async function startServer(args: readonly string[], nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  if (!existsSync(CLI)) throw new Error(`startServer: expected the built CLI at ${CLI} (run npm test, which builds first)`);
  const proc = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`startServer: no "listening on" within 60 s:\n${out}`)), 60_000);
    const check = (): void => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`startServer: the server exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url,
    proc,
    output: () => out,
    stop: (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}
