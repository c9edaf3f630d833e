/**
 * Sessions: the evaluation keys a client uploaded once, kept in memory under an
 * id, with two caps — a count and a total of memory (the keys as loaded, the
 * worker pool's copies included) — and an idle timeout.
 *
 * - A session that is idle (no request in progress) for longer than the timeout
 *   is evicted by a periodic sweep and by any lookup that finds it expired; a
 *   request in progress holds its session (`acquire`/`release`), so a session
 *   never disappears under a running job.
 * - When a new session would exceed a cap, idle expired sessions go first; if
 *   the cap still holds, the answer is TOO_MANY_SESSIONS (503) with the seconds
 *   until the oldest idle session expires as Retry-After: an answer, not an
 *   unbounded backlog of keys.
 * - `onEvict` lets the owner free what a session holds elsewhere (its keys in
 *   the worker pool).
 */
import { ServiceError } from './errors.js';

export interface SessionLimits {
  readonly maxSessions: number;
  readonly maxBytes: number;
  readonly idleMs: number;
}

export interface Session<T> {
  readonly id: string;
  readonly value: T;
  readonly bytes: number;
  readonly createdAt: number;
  lastUsed: number;
  busy: number;
}

export class SessionStore<T> {
  private readonly sessions = new Map<string, Session<T>>();
  private bytes = 0;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly limits: SessionLimits,
    private readonly newId: () => string,
    private readonly onEvict: (session: Session<T>) => void,
    private readonly now: () => number = () => Date.now(),
  ) {
    const every = Math.max(1000, Math.min(60_000, limits.idleMs / 4));
    this.timer = setInterval(() => this.sweep(), every);
    (this.timer as { unref?: () => void }).unref?.();
  }

  get size(): number {
    return this.sessions.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Refuses early when even evicting every expired session leaves no room (before the keys are read). */
  assertRoom(bytes: number): void {
    this.sweep();
    this.checkRoom(bytes);
  }

  private checkRoom(bytes: number): void {
    const { maxSessions, maxBytes } = this.limits;
    if (bytes > maxBytes)
      throw new ServiceError('TOO_MANY_SESSIONS', `POST /v1/sessions: expected keys taking at most ${maxBytes} bytes (the session memory cap), got ${bytes} bytes`);
    if (this.sessions.size + 1 > maxSessions || this.bytes + bytes > maxBytes) {
      const retry = this.secondsUntilRoom();
      throw new ServiceError(
        'TOO_MANY_SESSIONS',
        `POST /v1/sessions: expected room for a session (at most ${maxSessions} sessions, ${maxBytes} bytes of keys), got ${this.sessions.size} sessions holding ${this.bytes} bytes; retry after ${retry} s or DELETE an old session`,
        retry,
      );
    }
  }

  private secondsUntilRoom(): number {
    let soonest = Infinity;
    for (const s of this.sessions.values()) if (s.busy === 0) soonest = Math.min(soonest, s.lastUsed + this.limits.idleMs - this.now());
    return Number.isFinite(soonest) ? Math.max(1, Math.ceil(soonest / 1000)) : Math.max(1, Math.ceil(this.limits.idleMs / 1000));
  }

  create(value: T, bytes: number): Session<T> {
    this.sweep();
    this.checkRoom(bytes);
    const t = this.now();
    const s: Session<T> = { id: this.newId(), value, bytes, createdAt: t, lastUsed: t, busy: 0 };
    this.sessions.set(s.id, s);
    this.bytes += bytes;
    return s;
  }

  private expired(s: Session<T>, t: number): boolean {
    return s.busy === 0 && t - s.lastUsed > this.limits.idleMs;
  }

  /** The session for a request in progress (counted busy until `release`); UNKNOWN_SESSION if absent or expired. */
  acquire(id: string, fn: string): Session<T> {
    const s = this.sessions.get(id);
    const t = this.now();
    if (!s || this.expired(s, t)) {
      if (s) this.evict(s);
      throw new ServiceError('UNKNOWN_SESSION', `${fn}: expected a live session id, got ${/^[0-9a-f]{1,64}$/.test(id) ? id : 'a malformed id'} (unknown, deleted or idle longer than ${Math.round(this.limits.idleMs / 1000)} s)`);
    }
    s.busy++;
    s.lastUsed = t;
    return s;
  }

  release(s: Session<T>): void {
    s.busy = Math.max(0, s.busy - 1);
    s.lastUsed = this.now();
  }

  /** Removes a session now; false if unknown. A busy session is removed once its requests end. */
  delete(id: string): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.evict(s);
    return true;
  }

  private evict(s: Session<T>): void {
    if (this.sessions.get(s.id) !== s) return;
    this.sessions.delete(s.id);
    this.bytes -= s.bytes;
    this.onEvict(s);
  }

  /** Evicts every expired session. */
  sweep(): void {
    const t = this.now();
    for (const s of [...this.sessions.values()]) if (this.expired(s, t)) this.evict(s);
  }

  /** Evicts everything and stops the sweep timer. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const s of [...this.sessions.values()]) this.evict(s);
  }
}
