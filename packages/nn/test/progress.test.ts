import { describe, expect, it } from 'vitest';
import { Progress } from '../src/cli/progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, write: (s: string) => { chunks.push(s); return true; }, isTTY };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress display', () => {
  it('piped: plain lines at start and end, and at least every interval while ticks arrive', () => {
    const s = sink(false);
    const p = new Progress(s, { intervalMs: 20 });
    expect(p.mode).toBe('lines');
    const task = p.task('layer 0 conv2d', 1000);
    const until = performance.now() + 120;
    let done = 0;
    while (performance.now() < until) task.tick(++done);
    task.end();
    const text = s.chunks.join('');
    expect(text).not.toContain('\r');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('layer 0 conv2d: started, 1000 to do');
    expect(lines.at(-1)).toMatch(/^layer 0 conv2d: done 1000\/1000 in \d+\.\d s$/);
    expect(lines.length).toBeGreaterThanOrEqual(4); // ≥ 2 intermediate lines in 120 ms at 20 ms
    for (const l of lines.slice(1, -1)) expect(l).toMatch(/^layer 0 conv2d: \d+\/1000 \d+ % \d+\.\d s$/);
  });

  it('piped: a line every interval even without ticks (the main thread awaiting workers)', async () => {
    const s = sink(false);
    const p = new Progress(s, { intervalMs: 20 });
    const task = p.task('layer 3 dense', 100);
    task.tick(7);
    await sleep(150);
    task.end();
    const lines = s.chunks.join('').trim().split('\n');
    expect(lines.filter((l) => l.startsWith('layer 3 dense: 7/100')).length).toBeGreaterThanOrEqual(2);
  });

  it('terminal: one bar redrawn in place, ended by a newline; off: nothing', () => {
    const s = sink(true);
    const p = new Progress(s);
    expect(p.mode).toBe('bars');
    const task = p.task('encrypt', 10);
    task.tick(5);
    task.end();
    const text = s.chunks.join('');
    expect(text.startsWith('\r')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('[############################] 10/10');
    const quiet = sink(false);
    const off = new Progress(quiet, { mode: 'off' });
    off.task('x', 3).end();
    off.note('hello');
    expect(quiet.chunks).toEqual([]);
  });
});
