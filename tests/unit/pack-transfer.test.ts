/** Pure download bookkeeping (src/engine/pack/transfer.ts): resumed-request answers, the
 * smoothed rate and ETA, the quota verdict, progress texts and safe OPFS names. */
import { describe, expect, it } from 'vitest';
import {
  assertPackId,
  assertPackPath,
  describeTransfer,
  formatDuration,
  interruptedMessage,
  packRootOf,
  parseContentRange,
  percentDone,
  planResponse,
  quotaShortfall,
  RateMeter,
  rangeHeader,
} from '../../src/engine/pack/transfer';
import { thrown } from '../helpers/errors';

describe('resume bookkeeping', () => {
  it('asks for the rest of the file', () => {
    expect(rangeHeader(4096)).toBe('bytes=4096-');
  });

  it('parses Content-Range', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, end: 199, total: 1000 });
    expect(parseContentRange('bytes 0-0/*')).toEqual({ start: 0, end: 0 });
    expect(parseContentRange(null)).toBeUndefined();
    expect(parseContentRange('bytes 5-4/10')).toBeUndefined();
    expect(parseContentRange('items 1-2/3')).toBeUndefined();
  });

  it('appends a 206 that continues where the stored bytes end, and nothing else', () => {
    expect(planResponse(206, 1000, 'bytes 1000-4999/5000', 5000)).toEqual({ kind: 'append' });
    expect(planResponse(206, 1000, 'bytes 0-4999/5000', 5000)).toEqual({ kind: 'refetch' });
    expect(planResponse(206, 1000, null, 5000)).toEqual({ kind: 'refetch' });
    expect(planResponse(206, 0, 'bytes 0-4999/5000', 5000)).toEqual({ kind: 'refetch' });
  });

  it('restarts from byte 0 on a 200 (server ignored Range)', () => {
    expect(planResponse(200, 1000, null, 5000)).toEqual({ kind: 'restart' });
    expect(planResponse(200, 0, null)).toEqual({ kind: 'restart' });
  });

  it('treats 416 as complete only when the stored file has every byte', () => {
    expect(planResponse(416, 5000, 'bytes */5000', 5000)).toEqual({ kind: 'complete' });
    expect(planResponse(416, 6000, 'bytes */5000', 5000)).toEqual({ kind: 'refetch' });
    expect(planResponse(416, 6000, null)).toEqual({ kind: 'refetch' });
  });

  it('sorts failures into missing, retry-later and refused', () => {
    expect(planResponse(404, 0, null)).toEqual({ kind: 'missing' });
    expect(planResponse(410, 10, null)).toEqual({ kind: 'missing' });
    for (const s of [408, 429, 500, 502, 503]) expect(planResponse(s, 0, null)).toEqual({ kind: 'retry' });
    for (const s of [401, 403]) expect(planResponse(s, 0, null)).toEqual({ kind: 'refused' });
  });
});

describe('RateMeter', () => {
  it('measures a steady rate exactly and gives the ETA from it', () => {
    const m = new RateMeter(3000, 250);
    expect(m.rate).toBe(0);
    expect(m.eta(100)).toBeUndefined();
    for (let t = 0; t <= 5000; t += 50) m.sample(t * 200, t); // 200 B/ms = 200 kB/s
    expect(m.rate).toBeCloseTo(200_000, 6);
    expect(m.eta(1_000_000)).toBeCloseTo(5, 6);
    expect(m.eta(0)).toBe(0);
  });

  it('eases towards a new rate instead of jumping', () => {
    const m = new RateMeter(3000, 250);
    let loaded = 0;
    for (let t = 0; t <= 10_000; t += 250) m.sample((loaded = t * 100), t); // 100 kB/s
    const before = m.rate;
    m.sample(loaded + 250 * 1000, 10_250); // one window at 1 MB/s
    expect(m.rate).toBeGreaterThan(before);
    expect(m.rate).toBeLessThan(200_000);
  });

  it('pools samples closer than the window and does not count a pause as slow transfer', () => {
    const m = new RateMeter(3000, 250);
    m.sample(0, 0);
    m.sample(1000, 10);
    expect(m.rate).toBe(0);
    m.sample(25_000, 250);
    expect(m.rate).toBeCloseTo(100_000, 6);
    m.reset(25_000, 60_000); // resumed a minute later
    m.sample(50_000, 60_250);
    expect(m.rate).toBeCloseTo(100_000, 6);
  });
});

describe('texts', () => {
  it('rounds percentages down and keeps 100% for the end', () => {
    expect(percentDone(0, 0)).toBe(0);
    expect(percentDone(999, 1000)).toBe(99);
    expect(percentDone(1000, 1000)).toBe(100);
    expect(percentDone(425, 1000)).toBe(42);
    expect(interruptedMessage(425, 1000)).toBe('Download interrupted at 42% — press Resume');
  });

  it('formats durations and transfer lines', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(60)).toBe('1 min');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(7800)).toBe('2 h 10 min');
    expect(describeTransfer({ loaded: 1_200_000, total: 5_400_000, rate: 300_000, eta: 14 })).toBe(
      '1.2 MB of 5.4 MB · 300.0 KB/s · about 14 s left',
    );
    expect(describeTransfer({ loaded: 0, total: 5_400_000, rate: 0 })).toBe('0 B of 5.4 MB');
  });
});

describe('quotaShortfall', () => {
  it('passes when the remaining bytes fit or the browser gives no estimate', () => {
    expect(quotaShortfall('x', 100, { usage: 0, quota: 100 })).toBeUndefined();
    expect(quotaShortfall('x', 1e12, undefined)).toBeUndefined();
  });

  it('names the needed and the free size', () => {
    const e = quotaShortfall('Installing Served pack', 6_020_000_000, {
      usage: 9_000_000,
      quota: 10_000_000,
    });
    expect(e?.code).toBe('storage-full');
    expect(e?.message).toMatch(/^Installing Served pack needs 6\.02 GB but only 1\.0 MB is free/);
  });
});

describe('safe names', () => {
  it('accepts registry-style ids and rejects folder tricks', () => {
    for (const id of ['served-t2v', 'fastwan2.2-ti2v-5b', 'A_b'])
      expect(() => assertPackId(id)).not.toThrow();
    for (const id of ['', '.hidden', '../x', 'a/b', 'a b'])
      expect(thrown(() => assertPackId(id)).code).toBe('invalid-manifest');
  });

  it('accepts nested relative paths and rejects escapes', () => {
    for (const p of ['x.onnx', 'onnx/x.onnx', 'a/b/c.bin']) expect(() => assertPackPath(p)).not.toThrow();
    for (const p of ['', '/x', 'a//b', '../x', 'a/./b', 'a\\b', 'pack.json'])
      expect(thrown(() => assertPackPath(p)).code).toBe('invalid-manifest');
  });
});

describe('packRootOf', () => {
  it('finds the folder holding the shallowest pack.json', () => {
    expect(packRootOf(['pack.json', 'x.onnx'])).toBe('');
    expect(packRootOf(['served/pack.json', 'served/onnx/x.onnx'])).toBe('served/');
    expect(packRootOf(['a/b/pack.json', 'a/pack.json', 'a/x.onnx'])).toBe('a/');
    expect(packRootOf(['x.onnx', 'notpack.json.bak'])).toBeUndefined();
  });
});
