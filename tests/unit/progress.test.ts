/** Progress throttling (src/engine/progress.ts): first and last denoise steps and every other stage
 * pass; intermediate steps inside the interval are dropped (clock injected). */
import { describe, expect, it } from 'vitest';
import { type Progress, throttleProgress } from '../../src/engine/progress';

function run(events: { at: number; p: Progress }[], intervalMs: number): Progress[] {
  let clock = 0;
  const seen: Progress[] = [];
  const cb = throttleProgress(
    (p) => seen.push(p),
    intervalMs,
    () => clock,
  );
  for (const e of events) {
    clock = e.at;
    cb(e.p);
  }
  return seen;
}

const step = (s: number, total = 20): Progress => ({
  stage: 'denoise',
  step: s,
  total,
  elapsedMs: 0,
  etaMs: 0,
});

describe('throttleProgress', () => {
  it('passes step 1, one step per interval, and the last step', () => {
    const events = Array.from({ length: 20 }, (_, i) => ({ at: i * 10, p: step(i + 1) }));
    const seen = run(events, 100);
    expect(seen.map((p) => (p.stage === 'denoise' ? p.step : -1))).toEqual([1, 11, 20]);
  });

  it('passes every non-denoise stage even inside the interval', () => {
    const stages: Progress[] = [
      { stage: 'load', file: 'a.onnx', loaded: 1, total: 3 },
      { stage: 'load', file: 'b.onnx', loaded: 3, total: 3 },
      { stage: 'encode-text' },
      step(1, 3),
      step(2, 3),
      step(3, 3),
      { stage: 'decode' },
      { stage: 'mux', frame: 1, total: 2 },
      { stage: 'done', elapsedMs: 5 },
    ];
    const seen = run(
      stages.map((p) => ({ at: 1, p })),
      1000,
    );
    expect(seen.map((p) => p.stage)).toEqual([
      'load',
      'load',
      'encode-text',
      'denoise',
      'denoise',
      'decode',
      'mux',
      'done',
    ]);
    expect(seen.filter((p) => p.stage === 'denoise').map((p) => (p as { step: number }).step)).toEqual([
      1, 3,
    ]);
  });

  it('passes every step when they are slower than the interval', () => {
    const seen = run(
      Array.from({ length: 5 }, (_, i) => ({ at: i * 200, p: step(i + 1, 5) })),
      100,
    );
    expect(seen).toHaveLength(5);
  });
});
