/**
 * A bounded job queue in front of the worker pool. A job (one inference
 * request) runs when fewer than `concurrency` jobs run; otherwise it waits,
 * FIFO, if fewer than `maxWaiting` wait; otherwise it is refused at once with
 * QUEUE_FULL (503) and a Retry-After estimated from the mean duration of past
 * jobs. A waiting request's body is not read (TCP flow control holds the
 * client), so waiting costs no memory beyond the connection. One job at a time
 * is the default: a job already spreads each layer over every worker, and a
 * second job in parallel would double the memory of a batch for no throughput.
 */
import { ServiceError } from './errors.js';

export interface QueueLimits {
  readonly concurrency: number;
  readonly maxWaiting: number;
}

export class JobQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void)[] = [];
  private meanMs = 0;
  private finished = 0;

  constructor(readonly limits: QueueLimits) {}

  get depth(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /**
   * Admission: resolves (with the time waited) when the job may run, or throws
   * QUEUE_FULL synchronously when the queue is full. Call `done()` exactly once
   * after an admitted job ends.
   */
  admit(fn: string): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.maxWaiting) {
      const ahead = this.running + this.waiting.length;
      const retry = Math.max(1, Math.ceil(((this.meanMs || 1000) * ahead) / this.limits.concurrency / 1000));
      throw new ServiceError('QUEUE_FULL', `${fn}: expected room in the job queue (${this.limits.concurrency} running, ${this.limits.maxWaiting} waiting), got a full queue; retry after ${retry} s`, retry);
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Ends an admitted job that ran for `ms`; starts the next one. */
  done(ms: number): void {
    this.finished++;
    this.meanMs += (ms - this.meanMs) / Math.min(this.finished, 20);
    const next = this.waiting.shift();
    if (next) next();
    else {
      this.running--;
      if (this.running === 0) for (const f of this.idle.splice(0)) f();
    }
  }

  /** Resolves when nothing runs or waits. */
  drained(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idle.push(resolve));
  }
}
