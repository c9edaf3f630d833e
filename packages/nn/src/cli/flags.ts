/**
 * The one flag parser of the `qhe` command line. A subcommand declares its
 * flags as a table of `Flag<T>` values (kind, default, help); `parseFlags`
 * turns argv into a typed object or throws a `QheError` whose message names
 * the subcommand and the flag: "qhe <cmd> --flag: expected X, got Y". Unknown
 * flags are errors; `--help` is answered from the same table, so the help text
 * and the defaults cannot drift apart.
 *
 * Syntax: `--flag value` or `--flag=value`; boolean flags take no value
 * (`--flag=false` turns one off); positional arguments are collected in order.
 */
import { QheError } from '@qhe/bfv';

/** One flag: how to read its value and how to describe it in `--help`. */
export interface Flag<T> {
  readonly help: string;
  /** False for switches (`--kd`), true for flags that take a value. */
  readonly takesValue: boolean;
  /** Placeholder for the value in `--help` (N, PATH, u32|u64). */
  readonly placeholder: string;
  readonly defaultValue: T;
  /** How `--help` states the default ("8192", "all cores (2)", "none"). */
  readonly defaultLabel: string;
  /** Parses a raw value; `where` is "qhe <cmd> --flag" for error messages. */
  parse(raw: string, where: string): T;
}

export type Flags = Readonly<Record<string, Flag<unknown>>>;
export type ParsedFlags<F extends Flags> = { -readonly [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

/** Throws the CLI's typed error "where: expected X, got Y". */
export function flagError(where: string, expected: string, got: string): never {
  throw new QheError('INVALID_ARGUMENT', `${where}: expected ${expected}, got ${got}`);
}

const quote = (s: string): string => JSON.stringify(s);

interface Common<T> { readonly help: string; readonly default: T; readonly defaultLabel?: string }

/** An integer in [min, max]. */
export function intFlag(o: Common<number> & { readonly min: number; readonly max: number; readonly placeholder?: string }): Flag<number> {
  return {
    help: o.help, takesValue: true, placeholder: o.placeholder ?? 'N', defaultValue: o.default, defaultLabel: o.defaultLabel ?? String(o.default),
    parse(raw, where) {
      const v = Number(raw);
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(v) || v < o.min || v > o.max) flagError(where, `an integer in [${o.min}, ${o.max}]`, quote(raw));
      return v;
    },
  };
}

/** One of a fixed list of words. */
export function choiceFlag<const C extends string>(o: Common<C> & { readonly choices: readonly C[] }): Flag<C> {
  return {
    help: o.help, takesValue: true, placeholder: o.choices.join('|'), defaultValue: o.default, defaultLabel: o.defaultLabel ?? o.default,
    parse(raw, where) {
      if (!(o.choices as readonly string[]).includes(raw)) flagError(where, `one of ${o.choices.join(', ')}`, quote(raw));
      return raw as C;
    },
  };
}

/** A switch: present = true; `--flag=true|false|1|0` also accepted. */
export function boolFlag(o: { readonly help: string }): Flag<boolean> {
  return {
    help: o.help, takesValue: false, placeholder: '', defaultValue: false, defaultLabel: 'off',
    parse(raw, where) {
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return flagError(where, 'no value, or =true / =false', quote(raw));
    },
  };
}

/** A free string (a path, a name); `undefined` when absent and no default is given. */
export function stringFlag(o: { readonly help: string; readonly placeholder?: string; readonly defaultLabel?: string }): Flag<string | undefined>;
export function stringFlag(o: Common<string> & { readonly placeholder?: string }): Flag<string>;
export function stringFlag(o: { readonly help: string; readonly default?: string; readonly placeholder?: string; readonly defaultLabel?: string }): Flag<string | undefined> {
  return {
    help: o.help, takesValue: true, placeholder: o.placeholder ?? 'VALUE', defaultValue: o.default, defaultLabel: o.defaultLabel ?? o.default ?? 'none',
    parse(raw, where) {
      if (raw === '') flagError(where, 'a non-empty value', '""');
      return raw;
    },
  };
}

/** A comma-separated list whose items are read by `item` (e.g. `--weight-bits 2,4,8`). */
export function listFlag<T>(o: Common<readonly T[]> & { readonly item: Flag<T>; readonly placeholder?: string }): Flag<readonly T[]> {
  return {
    help: o.help, takesValue: true, placeholder: o.placeholder ?? `${o.item.placeholder},…`, defaultValue: o.default,
    defaultLabel: o.defaultLabel ?? (o.default.length ? o.default.join(',') : 'none'),
    parse(raw, where) {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) flagError(where, `a comma-separated list of ${o.item.placeholder}`, quote(raw));
      return items.map((s) => o.item.parse(s, where));
    },
  };
}

/** "weightBits" → "--weight-bits". */
export function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

export interface ParseResult<F extends Flags> {
  readonly flags: ParsedFlags<F>;
  readonly positional: readonly string[];
  /** The flags given on the command line (keys of `flags`). */
  readonly given: ReadonlySet<keyof F>;
  readonly help: boolean;
}

/**
 * Reads argv against a flag table. `command` is the display name ("qhe run").
 * Each flag may appear once; `--help`/`-h` sets `help` (other arguments are
 * still checked, so `--help` never hides a typo).
 */
export function parseFlags<F extends Flags>(command: string, table: F, argv: readonly string[]): ParseResult<F> {
  const byName = new Map<string, string>();
  for (const key of Object.keys(table)) byName.set(flagName(key), key);
  const values: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(table)) values[key] = flag.defaultValue;
  const given = new Set<keyof F>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = byName.get(name);
    if (key === undefined) {
      const known = [...byName.keys()].join(', ');
      flagError(command, `one of its flags (${known || 'none'}, --help)`, `${quote(name)} (unknown flag)`);
    }
    const flag = table[key];
    const where = `${command} ${name}`;
    if (given.has(key)) flagError(where, 'the flag once', 'it twice');
    given.add(key);
    let raw: string;
    if (eq > 0) raw = arg.slice(eq + 1);
    else if (!flag.takesValue) { values[key] = true; continue; }
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) flagError(where, `a value (${flag.placeholder})`, 'nothing');
      raw = next;
      i++;
    }
    values[key] = flag.parse(raw, where);
  }
  return { flags: values as ParsedFlags<F>, positional, given, help };
}

/** The `--help` text of a flag table. */
export function formatFlags(table: Flags): string {
  const rows = Object.entries(table).map(([key, f]) => {
    const head = `${flagName(key)}${f.takesValue ? ` ${f.placeholder}` : ''}`;
    return [head, `${f.help}${f.takesValue || f.defaultLabel !== 'off' ? ` (default: ${f.defaultLabel})` : ''}`];
  });
  rows.push(['--help', 'this text']);
  const width = Math.min(34, Math.max(...rows.map(([h]) => h.length)) + 2);
  return rows.map(([h, d]) => `  ${h.length >= width ? `${h}\n  ${' '.repeat(width)}` : h.padEnd(width)}${d}`).join('\n');
}

/** The same flag without a default value: `undefined` when absent (`defaultLabel` says what that means). */
export function optionalFlag<T>(flag: Flag<T>, defaultLabel: string): Flag<T | undefined> {
  return { ...flag, defaultValue: undefined, defaultLabel, parse: (raw, where) => flag.parse(raw, where) };
}

/** A value read by a function of the caller's (null = invalid, described by `expected`). */
export function customFlag<T>(o: Common<T> & { readonly placeholder: string; readonly expected: string; readonly read: (raw: string) => T | null }): Flag<T> {
  return {
    help: o.help, takesValue: true, placeholder: o.placeholder, defaultValue: o.default, defaultLabel: o.defaultLabel ?? String(o.default),
    parse(raw, where) {
      const v = o.read(raw);
      if (v === null) flagError(where, o.expected, quote(raw));
      return v;
    },
  };
}
