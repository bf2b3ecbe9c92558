/**
 * Sequential residency (pack/residency.ts) in the engine, on test-zimage with real onnxruntime-node
 * sessions wrapped by the session meter: with a budget the pack does not fit, at most one of the
 * text encoder, transformer and VAE decoder sessions exists at any time, in that order, and the
 * output equals the all-resident run exactly; a pack that fits stays resident and cached.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meterSessions } from '../../src/engine/bench/session-meter';
import { pngDataUrl } from '../../src/engine/media/png-decode';
import { createEngine } from '../../src/engine/engine';
import { componentGraphs } from '../../src/engine/pack/components';
import type { Progress } from '../../src/engine/progress';
import { CPU_ONLY, diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { png } from '../helpers/png';
import { smallRequest } from '../helpers/requests';
import { readManifest, TEST_PACKS_DIR } from '../helpers/test-packs';

const PACK = 'test-zimage';

/** Names a session by the component whose graph bytes it was made from; the engine's own step/scale/blend graphs are 'engine'. */
function labeller(packId: string): (model: Uint8Array) => string {
  const graphs = Object.entries(readManifest(packId).components).flatMap(([name, spec]) =>
    componentGraphs(spec).map((g) => ({
      name,
      bytes: new Uint8Array(readFileSync(join(TEST_PACKS_DIR, packId, g.file))),
    })),
  );
  return (model) =>
    graphs.find((g) => g.bytes.byteLength === model.byteLength && g.bytes.every((v, i) => v === model[i]))
      ?.name ?? 'engine';
}
const labelOf = labeller(PACK);
const request = smallRequest(PACK, { frames: 1, resolution: '64x64', steps: 4 });
const BIG = ['textEncoder', 'transformer', 'vaeDecoder'];

function meteredEngine(budgetGiB: number) {
  const meter = meterSessions(ortNodeModule, labelOf);
  const engine = createEngine({
    ort: meter.ort,
    sourceFor: async (id) => diskPackSource(id, TEST_PACKS_DIR),
    probe: async () => CPU_ONLY,
    gpuBudgetGiB: async () => budgetGiB,
  });
  return { meter, engine };
}

/** The big sessions alive after each create/release event. */
function bigAlive(log: { what: string; label: string }[]): string[][] {
  const alive: string[] = [];
  return log.map((e) => {
    if (!BIG.includes(e.label)) return [...alive];
    if (e.what === 'create') alive.push(e.label);
    else alive.splice(alive.indexOf(e.label), 1);
    return [...alive];
  });
}

describe('sequential residency', () => {
  it('keeps at most one of text encoder / transformer / VAE alive, in order, and gives the all-resident output exactly', async () => {
    const resident = meteredEngine(64);
    const whole = await resident.engine.generate('r', request);
    expect(
      resident.meter
        .live()
        .filter((l) => BIG.includes(l))
        .sort(),
    ).toEqual([...BIG].sort()); // cached, all resident

    const seq = meteredEngine(1e-6); // ~1 KiB: nothing fits whole
    const progress: Progress[] = [];
    const out = await seq.engine.generate('s', request, { onProgress: (p) => progress.push(p) });
    expect(out.latent).toEqual(whole.latent);
    expect(out.frames.rgba).toEqual(whole.frames.rgba);
    expect([whole.residency, out.residency]).toEqual(['resident', 'sequential']);
    expect(out.backendReason).toMatch(/larger than the GPU memory budget .* ran one at a time/);

    const alive = bigAlive(seq.meter.log);
    expect(Math.max(...alive.map((a) => a.length))).toBe(1);
    const bigEvents = seq.meter.log.filter((e) => BIG.includes(e.label)).map((e) => `${e.what} ${e.label}`);
    expect(bigEvents).toEqual([
      'create textEncoder',
      'release textEncoder',
      'create transformer',
      'release transformer',
      'create vaeDecoder',
    ]);
    // The peak is the largest phase, far below all sessions together.
    expect(seq.meter.peakBytes).toBeLessThan(resident.meter.peakBytes);

    // Load progress: the phases' sessions, loaded never decreasing, total constant, ending at the whole pack.
    const loads = progress.filter((p): p is Extract<Progress, { stage: 'load' }> => p.stage === 'load');
    expect(new Set(loads.map((p) => p.total)).size).toBe(1);
    expect(loads.map((p) => p.loaded)).toEqual([...loads.map((p) => p.loaded)].sort((a, b) => a - b));
    expect(progress.map((p) => p.stage).indexOf('decode')).toBeLessThan(
      progress.map((p) => p.stage).lastIndexOf('load'),
    );
  });

  it('a second sequential run releases the VAE before the text encoder comes back, and still matches', async () => {
    const { meter, engine } = meteredEngine(1e-6);
    const first = await engine.generate('a', request);
    meter.reset();
    const second = await engine.generate('b', request);
    expect(second.latent).toEqual(first.latent);
    expect(Math.max(...bigAlive(meter.log).map((a) => a.length))).toBeLessThanOrEqual(1);
    expect(
      meter.log
        .filter((e) => BIG.includes(e.label))
        .map((e) => `${e.what} ${e.label}`)
        .slice(0, 2),
    ).toEqual(['release vaeDecoder', 'create textEncoder']);
  });

  it('cancellation between steps still rejects with AbortError and the next run succeeds', async () => {
    const { engine, meter } = meteredEngine(1e-6);
    const run = engine.generate('c', request, {
      onProgress: (p) => p.stage === 'denoise' && p.step === 1 && engine.cancel('c'),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(meter.live()).toContain('transformer');
    const out = await engine.generate('d', request);
    expect(out.latent.length).toBe(16 * 8 * 8);
    expect(Math.max(...bigAlive(meter.log).map((a) => a.length))).toBe(1);
  });

  it('"Test this pack" passes under sequential residency, with one big session at a time', async () => {
    const { engine, meter } = meteredEngine(1e-6);
    const report = await engine.testPack('t', PACK);
    expect(report.pass).toBe(true);
    const stages = report.stages.map((s) => s.stage);
    expect(stages).toEqual([
      'load',
      'text-encoder',
      ...Array.from({ length: report.request?.steps ?? 0 }, () => 'transformer'),
      'vae-decoder',
    ]);
    expect(Math.max(...bigAlive(meter.log).map((a) => a.length))).toBe(1);
  });

  it('switching the budget reloads the pack in the other mode and releases the first copy', async () => {
    let budget = 64;
    const meter = meterSessions(ortNodeModule, labelOf);
    const engine = createEngine({
      ort: meter.ort,
      sourceFor: async (id) => diskPackSource(id, TEST_PACKS_DIR),
      probe: async () => CPU_ONLY,
      gpuBudgetGiB: async () => budget,
    });
    await engine.generate('x', request);
    expect(meter.live().filter((l) => BIG.includes(l))).toHaveLength(3);
    budget = 1e-6;
    await engine.generate('y', request);
    expect(meter.live().filter((l) => BIG.includes(l))).toEqual(['vaeDecoder']);
    await engine.dispose();
    expect(meter.live()).toEqual([]);
    expect(meter.liveBytes).toBe(0);
  });
});

describe('sequential residency with a start image and block-streamed components (test-fastwan-i2v)', () => {
  it('text encoder, VAE encoder, transformer chain and VAE decoder each run alone, and the video equals the resident one', async () => {
    const id = 'test-fastwan-i2v';
    const m = readManifest(id);
    const [w, h] = m.defaults.resolution.split('x').map(Number) as [number, number];
    const px = new Uint8Array(w * h * 3).fill(30);
    for (let y = h / 4; y < (3 * h) / 4; y++) px.fill(220, (y * w + w / 4) * 3, (y * w + (3 * w) / 4) * 3);
    const r = {
      ...smallRequest(id, {
        frames: m.defaults.frames,
        resolution: m.defaults.resolution,
        steps: 3,
        solver: 'unipc',
        shift: 8,
      }),
      startImage: pngDataUrl(png(w, h, 2, 3, px, 0)),
    };
    const make = (budgetGiB: number) => {
      const meter = meterSessions(ortNodeModule, labeller(id));
      return {
        meter,
        engine: createEngine({
          ort: meter.ort,
          sourceFor: async (p) => diskPackSource(p, TEST_PACKS_DIR),
          probe: async () => CPU_ONLY,
          gpuBudgetGiB: async () => budgetGiB,
        }),
      };
    };
    const resident = await make(64).engine.generate('r', r);
    const { meter, engine } = make(1e-6);
    const out = await engine.generate('s', r);
    expect(out.latent).toEqual(resident.latent);
    expect(out.frames.rgba).toEqual(resident.frames.rgba);
    // Distinct components alive after each event (a chain's stages count as one component).
    const alive = new Map<string, number>();
    const counts = meter.log.map((e) => {
      if (e.label !== 'engine' && e.label !== 'schedulerStep')
        alive.set(e.label, (alive.get(e.label) ?? 0) + (e.what === 'create' ? 1 : -1));
      return [...alive.values()].filter((n) => n > 0).length;
    });
    expect(Math.max(...counts)).toBe(1);
    const firstCreate = (label: string) =>
      meter.log.findIndex((e) => e.what === 'create' && e.label === label);
    const order = ['textEncoder', 'vaeEncoder', 'transformer', 'vaeDecoder'].map(firstCreate);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
