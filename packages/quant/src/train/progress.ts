/** A one-line progress bar on stderr (epoch, batch, loss, accuracy, ETA). */
export class Progress {
  private readonly t0 = Date.now();
  private last = 0;
  constructor(private readonly totalSteps: number, private readonly label: string, private readonly enabled = true) {}

  update(step: number, epoch: number, epochs: number, batch: number, batches: number, loss: number, acc: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 250 && batch !== batches) return;
    this.last = now;
    const el = (now - this.t0) / 1000;
    const eta = step > 0 ? (el / step) * (this.totalSteps - step) : 0;
    const w = 20, f = Math.round((w * step) / this.totalSteps);
    const bar = '█'.repeat(f) + '░'.repeat(w - f);
    process.stderr.write(`\r${this.label} ${bar} epoch ${epoch}/${epochs} batch ${batch}/${batches} loss ${loss.toFixed(4)} acc ${(acc * 100).toFixed(2)}% ETA ${fmt(eta)}   `);
  }

  done(): void { if (this.enabled) process.stderr.write('\n'); }
}

export function fmt(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${Math.round(s % 60).toString().padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}
