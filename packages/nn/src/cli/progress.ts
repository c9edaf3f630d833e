/**
 * Progress on stderr that is always visible: on a terminal, one bar redrawn in
 * place; otherwise (piped, CI, a log file) plain lines, one when a task starts,
 * then at least every `intervalMs` while it runs (from its ticks, and from a
 * timer while the main thread only awaits the worker pool), and one when it
 * ends. stdout stays free for results and `--json`.
 */
export type ProgressMode = 'auto' | 'bars' | 'lines' | 'off';
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bars', 'lines', 'off'];

export interface ProgressSink { write(text: string): unknown; readonly isTTY?: boolean }

export interface ProgressTask {
  /** `done` of `total` units finished; `detail` replaces the task's suffix. */
  tick(done: number, detail?: string): void;
  end(detail?: string): void;
}

export interface ProgressOptions {
  readonly mode?: ProgressMode;
  /** Lines mode: the longest gap between two lines of a running task. Default 2000 ms. */
  readonly intervalMs?: number;
}

const BAR_WIDTH = 28;
const BAR_REDRAW_MS = 150;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export class Progress {
  readonly mode: Exclude<ProgressMode, 'auto'>;
  private readonly intervalMs: number;
  private active: { stop(): void } | null = null;

  constructor(private readonly sink: ProgressSink, options: ProgressOptions = {}) {
    const mode = options.mode ?? 'auto';
    this.mode = mode === 'auto' ? (sink.isTTY ? 'bars' : 'lines') : mode;
    this.intervalMs = options.intervalMs ?? 2000;
  }

  /** A one-off message (a phase, a warning) on its own line. */
  note(text: string): void {
    if (this.mode !== 'off') this.sink.write(text + '\n');
  }

  /** Starts a task of `total` units (ends the previous task if it is still open). */
  task(label: string, total: number): ProgressTask {
    if (this.active) {
      this.active.stop();
      if (this.mode === 'bars') this.sink.write('\n');
    }
    const start = performance.now();
    let done = 0;
    let detail = '';
    let closed = false;
    let lastDraw = 0;
    const pct = (): string => (total > 0 ? `${Math.floor((100 * done) / total)} %` : '');
    const line = (): string => `${label}: ${done}/${total} ${pct()} ${seconds(performance.now() - start)}${detail ? ` ${detail}` : ''}`;
    const draw = (): void => {
      lastDraw = performance.now();
      if (this.mode === 'bars') {
        const filled = total > 0 ? Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * done) / total)) : BAR_WIDTH;
        this.sink.write(`\r${label.padEnd(30)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${seconds(performance.now() - start)}${detail ? ` ${detail}` : ''}\x1b[K`);
      } else if (this.mode === 'lines') this.sink.write(line() + '\n');
    };
    // Lines mode: a line every intervalMs even when no tick arrives (the main thread awaits the pool).
    const timer = this.mode === 'lines' ? setInterval(() => { if (performance.now() - lastDraw >= this.intervalMs) draw(); }, Math.max(50, this.intervalMs / 4)) : null;
    timer?.unref();
    const stop = (): void => {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
    };
    this.active = { stop };
    if (this.mode === 'lines') {
      this.sink.write(`${label}: started, ${total} to do\n`);
      lastDraw = performance.now();
    } else if (this.mode === 'bars') draw();
    return {
      tick: (d, det) => {
        if (closed) return;
        done = d;
        if (det !== undefined) detail = det;
        const gap = performance.now() - lastDraw;
        if (this.mode === 'bars' ? gap >= BAR_REDRAW_MS : gap >= this.intervalMs) draw();
      },
      end: (det) => {
        if (closed) return;
        done = total;
        if (det !== undefined) detail = det;
        stop();
        if (this.mode === 'bars') { draw(); this.sink.write('\n'); }
        else if (this.mode === 'lines') this.sink.write(`${label}: done ${total}/${total} in ${seconds(performance.now() - start)}${detail ? ` ${detail}` : ''}\n`);
        if (this.active?.stop === stop) this.active = null;
      },
    };
  }

  /** Ends an open task (on errors, so no timer outlives the job). */
  close(): void {
    this.active?.stop();
    this.active = null;
  }
}
