/**
 * Shared by the service tests: the small models of ../models.ts (so N =
 * 1024–2048 with allowInsecure plans them), deterministic test images, and a
 * `qhe serve` child process on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeIntegerModel, type IntegerModel } from '@qhe/quant/model';
import { lcg, tinyModel as sharedTiny } from '../models.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/qhe.js', import.meta.url));

export { lcg, microModel } from '../models.js';

/** The shared tiny model, with class names and a recorded accuracy (what a model card shows). */
export function tinyModel(seed = 7, weightMax = 7, name = 'tiny'): IntegerModel {
  return sharedTiny(weightMax, name, { seed, metadata: { classNames: ['a', 'b', 'c', 'd'], floatAccuracy: 0.5 } });
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
  /** SIGTERM (if still running) and the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The exit code, once the process ends by itself. */
  exited(): Promise<number | null>;
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
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    exited: () => exited,
  };
}
