/** "Test this pack" (src/engine/pack-test): the figures and checks, the smallest request, and whole runs on the generated packs in onnxruntime-node. */
import { describe, expect, it } from 'vitest';
import { dataUrlBytes, decodePng } from '../../src/engine/media/png-decode';
import { stageLabel } from '../../src/engine/pack-test/run-pack-test';
import { runVideoPackTest } from '../../src/engine/pack-test/run-video-pack-test';
import { stageFigures, stageProblem } from '../../src/engine/pack-test/stage-stats';
import { smallestRequest } from '../../src/engine/pack-test/test-request';
import { validateRequest } from '../../src/engine/request';
import { cpuEngine } from '../helpers/packs';
import { diskPackSource } from '../helpers/ort-node';
import { readManifest, TEST_PACKS_DIR } from '../helpers/test-packs';

describe('stage figures and checks', () => {
  it('counts NaN and ±Inf and takes min/max/mean over the finite values', () => {
    const f = stageFigures(Float32Array.of(1, NaN, -3, Infinity, 2));
    expect(f).toEqual({ count: 5, nonFinite: 2, min: -3, max: 2, mean: 0 });
    expect(stageProblem(f)).toBe('not finite: 2 of 5 values are NaN or ±Inf');
    expect(stageProblem(stageFigures(Float32Array.of(NaN, NaN)))).toBe(
      'not finite: 2 of 2 values are NaN or ±Inf',
    );
  });

  it('flags a constant output, an empty one, and pixels outside the declared range (with 10% slack)', () => {
    expect(stageProblem(stageFigures(new Float32Array(8).fill(0.25)))).toBe(
      'constant: all 8 values are 0.25',
    );
    expect(stageProblem(stageFigures(new Float32Array()))).toBe('empty output (0 values)');
    expect(stageProblem(stageFigures(Float32Array.of(-1.2, 0, 1)), [-1, 1])).toBe(
      'out of range: values span [-1.2, 1] but the decoder declares [-1, 1] (±0.2 allowed)',
    );
    expect(stageProblem(stageFigures(Float32Array.of(-1.25, 0, 1)), [-1, 1])).toContain('out of range');
    expect(stageProblem(stageFigures(Float32Array.of(-1.1, 0, 1.05)), [-1, 1])).toBeUndefined();
    expect(stageProblem(stageFigures(Float32Array.of(0, 0.5, 1.2)), [0, 1])).toContain('declares [0, 1]');
  });
});

describe('smallest request', () => {
  it('takes the smallest resolution, one frame, one step, no CFG, and is valid for every test pack', () => {
    for (const id of ['test-zimage', 'test-sdturbo', 'test-fastwan', 'test-fastwan-i2v']) {
      const m = readManifest(id);
      const r = smallestRequest(m);
      expect(validateRequest(r, m), id).toEqual({});
      expect(r).toMatchObject({ frames: 1, steps: 1, guidance: 1, seed: 42 });
      const px = (s: string) =>
        s
          .split('x')
          .map(Number)
          .reduce((a, b) => a * b, 1);
      expect(Math.min(...m.limits.resolutions.map(px))).toBe(px(r.resolution));
    }
  });

  it('takes the smallest resolution whatever order the pack lists them in', () => {
    const m = readManifest('test-fastwan');
    expect(
      smallestRequest({ ...m, limits: { ...m.limits, resolutions: ['96x64', '64x64'] } }).resolution,
    ).toBe('64x64');
    expect(
      smallestRequest({ ...m, limits: { ...m.limits, resolutions: ['64x64', '96x64'] } }).resolution,
    ).toBe('64x64');
  });

  it('gives an image-to-video pack a gradient start image at the request size', () => {
    const r = smallestRequest(readManifest('test-fastwan-i2v'));
    const img = decodePng(dataUrlBytes(r.startImage as string));
    expect(`${img.width}x${img.height}`).toBe(r.resolution);
    expect(img.rgba[0]).toBe(0);
    expect(img.rgba[(img.width - 1) * 4]).toBe(255);
  });
});

const testPacks = cpuEngine((id) => diskPackSource(id, TEST_PACKS_DIR));

describe('engine.testPack', () => {
  it.each(['demo-t2v', 'test-t2v-random'])(
    '%s passes with a time and finite, varying figures per stage',
    async (id) => {
      const report = await cpuEngine().testPack('t', id);
      expect(report).toMatchObject({
        packId: id,
        pass: true,
        backend: 'wasm',
        request: { frames: 1, steps: 1, resolution: '128x128' },
      });
      expect(report.reason).toBeUndefined();
      expect(report.stages.map((s) => (s.step ? `${s.stage}#${s.step}` : s.stage))).toEqual([
        'load',
        'text-encoder',
        'transformer#1',
        'vae-decoder',
      ]);
      for (const s of report.stages) expect(s.ms).toBeGreaterThanOrEqual(0);
      for (const s of report.stages.slice(1)) {
        expect(s.figures?.nonFinite).toBe(0);
        expect((s.figures?.max as number) - (s.figures?.min as number)).toBeGreaterThan(0);
      }
      const decoded = report.stages[3]?.figures;
      expect(decoded?.min).toBeGreaterThanOrEqual(-1);
      expect(decoded?.max).toBeLessThanOrEqual(1);
      expect(report.totalMs).toBeGreaterThanOrEqual(report.stages.reduce((n, s) => n + s.ms, 0) - 1);
    },
  );

  it.each(['test-zimage', 'test-sdturbo', 'test-fastwan', 'test-fastwan-i2v'])(
    'real-contract test pack %s passes',
    async (id) => {
      const report = await testPacks.testPack('t', id);
      expect(report.reason).toBeUndefined();
      expect(report.pass).toBe(true);
      expect(report.stages.at(-1)?.stage).toBe('vae-decoder');
    },
  );

  it('test-nan fails at the transformer, step 1, "not finite", and stops before decoding', async () => {
    const report = await testPacks.testPack('t', 'test-nan');
    expect(report.pass).toBe(false);
    expect(report.reason).toMatch(/^transformer \(step 1\): not finite: (\d+) of \1 values are NaN or ±Inf$/);
    expect(report.stages.map((s) => s.stage)).toEqual(['load', 'text-encoder', 'transformer']);
    expect(report.stages[2]).toMatchObject({ step: 1, problem: expect.stringContaining('not finite') });
  });

  it('demo-sam passes: frame encode, then a click on the generated disc gives a mask that is not constant', async () => {
    const report = await cpuEngine().testPack('t', 'demo-sam');
    expect(report.reason).toBeUndefined();
    expect(report.pass).toBe(true);
    expect(report.stages.map((s) => s.stage)).toEqual(['image-encoder', 'mask-decoder']);
    expect(report.stages[1]?.figures).toMatchObject({ min: 0, max: 255, nonFinite: 0 });
  });

  it('demo-matanyone passes: open with the disc mask, then two matted frames that are not constant', async () => {
    const report = await cpuEngine().testPack('t', 'demo-matanyone');
    expect(report.reason).toBeUndefined();
    expect(report.stages.map((s) => stageLabel(s))).toEqual([
      'matting-open',
      'matting-frame (step 1)',
      'matting-frame (step 2)',
    ]);
    for (const s of report.stages.slice(1))
      expect((s.figures?.max as number) - (s.figures?.min as number)).toBeGreaterThan(100);
  });

  it('a video pack whose mask decoder gives a constant mask fails naming the stage', async () => {
    const engine = cpuEngine();
    const report = await runVideoPackTest(
      { ...engine, segmentPoints: async () => ({ width: 4, height: 4, data: new Uint8Array(16) }) },
      't',
      'demo-sam',
      'segment-points',
    );
    expect(report).toMatchObject({ pass: false, reason: 'mask-decoder: constant: all 16 values are 0' });
  });

  it('a pack that does not load fails at the load stage with the engine error', async () => {
    const report = await cpuEngine().testPack('t', 'no-such-pack');
    expect(report).toMatchObject({ pass: false, stages: [] });
    expect(report.reason).toMatch(/^load: /);
  });
});
