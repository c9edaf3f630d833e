/**
 * What a `qhe` subcommand is: a name, a one-line summary, a flag table
 * (`flags.ts`) and a `run` function. `commands.ts` lists them; adding a
 * subcommand is one file plus one line there, adding a flag is one entry in
 * that subcommand's table.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Flags, ParsedFlags } from './flags.js';

/** Where a command writes: stdout for results, stderr for progress and warnings. */
export interface CliIo {
  out(text: string): void;
  readonly err: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Command<F extends Flags = Flags> {
  readonly name: string;
  readonly summary: string;
  /** Positional arguments after the flags, e.g. "[model.json]". */
  readonly positional?: { readonly usage: string; readonly min: number; readonly max: number };
  readonly flags: F;
  /** Paragraphs printed after the flag list in `--help`. */
  readonly notes?: string;
  /** Returns the exit code (default 0). */
  run(flags: ParsedFlags<F>, positional: readonly string[], io: CliIo): Promise<number | void> | number | void;
}

/** Identity with inference of the flag types (`defineCommand({ flags: { … }, run(f) { f.images … } })`). */
export function defineCommand<F extends Flags>(command: Command<F>): Command<F> {
  return command;
}

/** The process's io. */
export function processIo(): CliIo {
  return { out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'), err: process.stderr, env: process.env };
}

/**
 * A path given by the user, made absolute against the directory the user ran
 * from: `npm run qhe -- plan my.json` runs in the workspace root, and npm keeps
 * the caller's directory in INIT_CWD.
 */
export function userPath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.env.INIT_CWD ?? process.cwd(), path);
}
