/** Minimal --flag value parser with typed errors ("arg: expected X, got Y"). */
import { fail } from '../model/errors.js';

export function parseArgs(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) fail('INVALID_ARGUMENT', 'args', 'a --flag', a);
    const eq = a.indexOf('=');
    if (eq > 0) m.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) m.set(a.slice(2), argv[++i]);
    else m.set(a.slice(2), 'true');
  }
  return m;
}

export function intArg(m: Map<string, string>, k: string, def: number, min: number, max: number): number {
  const v = m.get(k);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail('INVALID_ARGUMENT', `--${k}`, `an integer in [${min}, ${max}]`, v);
  return n;
}

export function choiceArg<T extends string>(m: Map<string, string>, k: string, def: T, choices: readonly T[]): T {
  const v = m.get(k);
  if (v === undefined) return def;
  if (!choices.includes(v as T)) fail('INVALID_ARGUMENT', `--${k}`, choices.join('|'), v);
  return v as T;
}

export function boolArg(m: Map<string, string>, k: string): boolean {
  const v = m.get(k);
  if (v === undefined || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  return fail('INVALID_ARGUMENT', `--${k}`, 'true|false', v);
}
