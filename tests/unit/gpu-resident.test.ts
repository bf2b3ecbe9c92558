/**
 * GPU residency through the whole engine, in Node: every test pack, single-graph and
 * block-streamed, with Euler, UniPC and DPM++ 2M, on a stand-in GPU (helpers/fake-gpu.ts) under
 * the engine's transfer meter. With previews and checkpoints off a denoise step reads nothing
 * back and no CPU tensor goes up twice in a run; the same run loaded without GPU-resident
 * outputs does read back every step, so the assertion can fail. A resumed run equals the
 * uninterrupted one byte for byte with the latent and the solvers' history on the device.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchPipeline } from '../../src/engine/bench/pipeline-bench';
import { createEngine } from '../../src/engine/engine';
import { pngDataUrl } from '../../src/engine/media/png-decode';
import { parseManifestText } from '../../src/engine/pack/manifest';
import { loadPack } from '../../src/engine/pack/load-pack';
import { generate, type LatentCheckpoint } from '../../src/engine/pipeline/generate';
import { defaultRequest, type TaskRequest } from '../../src/engine/request';
import { readFloats } from '../../src/engine/runtime';
import { concatLastAxis, encodeConditioning } from '../../src/engine/text/conditioning';
import { encodeText } from '../../src/engine/text/encode-text';
import { maxPerStep, meterTransfers } from '../../src/engine/transfers';
import { fakeGpu } from '../helpers/fake-gpu';
import { CPU_ONLY, diskPackSource } from '../helpers/ort-node';
import { png } from '../helpers/png';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

const SINGLE = ['test-zimage', 'test-sdturbo', 'test-sdxlturbo'];
const STREAMED = ['test-fastwan', 'test-fastwan-i2v'];
/** The ε UNets (SD-Turbo, SDXL-Turbo) step with Euler only. */
const CASES: [TaskRequest['solver'], string[]][] = [
  ['euler', [...SINGLE, ...STREAMED]],
  ['unipc', ['test-zimage', ...STREAMED]],
  ['dpmpp-2m', ['test-zimage', ...STREAMED]],
];

function request(id: string, solver: TaskRequest['solver']): TaskRequest {
  const m = parseManifestText(readFileSync(join(TEST_PACKS_DIR, id, 'pack.json'), 'utf8'), id);
  const r: TaskRequest = { ...defaultRequest(m, 'a red ball'), steps: 3, solver };
  if (m.pipeline !== 'i2v-flow-dit') return r;
  const [w, h] = r.resolution.split('x').map(Number) as [number, number];
  const px = new Uint8Array(w * h * 3).map((_, i) => (i * 7) % 251);
  return { ...r, startImage: pngDataUrl(png(w, h, 2, 3, px, 1)) };
}

function gpuEngine() {
  const gpu = fakeGpu();
  const engine = createEngine({
    ort: gpu.ort,
    sourceFor: async (id) => diskPackSource(id, TEST_PACKS_DIR),
    probe: async () => ({ ...CPU_ONLY, webgpu: true, maxBufferSize: 2 ** 30 }),
  });
  return { gpu, engine };
}

describe('GPU-resident denoise steps on every test pack', () => {
  for (const [solver, packs] of CASES)
    for (const id of packs)
      it(`${solver} on ${id}: 0 readbacks per step, no constant sent twice`, async () => {
        const { engine } = gpuEngine();
        const out = await engine.generate('t', request(id, solver));
        expect(out.backend).toBe('webgpu');
        const t = out.transfers;
        expect(t.steps).toHaveLength(3);
        expect(maxPerStep(t).readbacks, `${id} readbacks per step`).toBe(0);
        expect(t.reuploads, `${id} CPU tensors uploaded again: ${JSON.stringify(t.stages)}`).toBe(0);
        // What a step sends up is scalars and the timestep, never a latent or context-sized tensor.
        expect(maxPerStep(t).uploadBytes).toBeLessThan(out.latent.length);
      });

  it('the same pack loaded without GPU-resident outputs reads back every step (the counter sees it)', async () => {
    const gpu = fakeGpu();
    const meter = meterTransfers(gpu.ort);
    const source = diskPackSource('test-fastwan', TEST_PACKS_DIR);
    const m = parseManifestText(new TextDecoder().decode(await source.readBytes('pack.json')), 'x');
    const pack = await loadPack(source, m, meter.ort, 'webgpu', undefined, false);
    try {
      await generate(pack, meter.ort, request('test-fastwan', 'unipc'), { transfers: meter });
    } finally {
      await pack.release();
    }
    expect(maxPerStep(meter.report()).readbacks).toBeGreaterThan(0);
    expect(meter.report().reuploads).toBeGreaterThan(0);
  });
});

describe('bench rows', () => {
  it('a pipeline row counts bytes per step before (outputs read back) and after (GPU-resident) in one run', async () => {
    const gpu = fakeGpu();
    const meter = meterTransfers(gpu.ort);
    const source = diskPackSource('test-fastwan', TEST_PACKS_DIR);
    const row = await benchPipeline(meter.ort, source, request('test-fastwan', 'unipc'), 'webgpu', meter, 0);
    expect(row.streamed).toBe(true);
    expect(row.transfersPerStep).toMatchObject({ readbacks: 0, reuploads: 0 });
    expect(row.roundTripTransfersPerStep?.readbacks).toBeGreaterThan(0);
    expect(row.roundTripTransfersPerStep?.uploadBytes).toBeGreaterThan(
      row.transfersPerStep?.uploadBytes ?? 0,
    );
    expect(row.stepMs).toBeGreaterThan(0);
  });
});

describe('text conditioning on the device', () => {
  it("SDXL's two encoders' hidden states are joined by the Concat graph: encode-text reads nothing back, and the context equals the CPU join", async () => {
    const { engine } = gpuEngine();
    const out = await engine.generate('t', request('test-sdxlturbo', 'euler'));
    expect(out.transfers.stages['encode-text']).toMatchObject({ readbacks: 0, reuploads: 0 });
    const gpu = fakeGpu();
    const source = diskPackSource('test-sdxlturbo', TEST_PACKS_DIR);
    const m = parseManifestText(new TextDecoder().decode(await source.readBytes('pack.json')), 'x');
    const pack = await loadPack(source, m, gpu.ort, 'webgpu');
    try {
      const onDevice = await encodeConditioning(gpu.ort, pack, 'a red ball');
      expect(onDevice.context.location).toBe('gpu-buffer');
      const first = await encodeText(gpu.ort, pack.text, 'a red ball');
      const second = await encodeText(gpu.ort, pack.text2!, 'a red ball');
      const onCpu = await concatLastAxis(gpu.ort, first, second);
      expect(onDevice.context.dims).toEqual(onCpu.dims);
      expect(await readFloats(onDevice.context)).toEqual(await readFloats(onCpu));
    } finally {
      await pack.release();
    }
  });
});

describe('zero-filled padding on the device', () => {
  it("FastWan's padded prompt positions are zeroed by the zero-fill graph: nothing is read back before decode, and the hidden states equal the CPU zero-fill", async () => {
    const { engine } = gpuEngine();
    const out = await engine.generate('t', request('test-fastwan', 'unipc'));
    const before = Object.entries(out.transfers.stages).filter(([stage]) => stage !== 'decode');
    expect(before.map(([stage]) => stage)).toContain('encode-text');
    for (const [stage, counts] of before) expect(counts.readbacks, `${stage} readbacks`).toBe(0);
    const gpu = fakeGpu();
    const source = diskPackSource('test-fastwan', TEST_PACKS_DIR);
    const m = parseManifestText(new TextDecoder().decode(await source.readBytes('pack.json')), 'x');
    const [resident, roundTrip] = [
      await loadPack(source, m, gpu.ort, 'webgpu'),
      await loadPack(source, m, gpu.ort, 'webgpu', undefined, false),
    ];
    try {
      const onDevice = await encodeText(gpu.ort, resident.text, 'a red ball');
      expect(onDevice.location).toBe('gpu-buffer');
      const onCpu = await encodeText(gpu.ort, roundTrip.text, 'a red ball');
      expect(onCpu.location).toBe('cpu');
      expect(onDevice.dims).toEqual(onCpu.dims);
      const [d, c] = [await readFloats(onDevice), onCpu.data as Float32Array];
      expect(d.every((v, i) => v === c[i])).toBe(true); // ±0 alike
      // The prompt fills the first rows; the rest were padding and are zero, so the check can fail.
      const width = onCpu.dims[2] as number;
      expect(c.subarray(0, width).some((v) => v !== 0)).toBe(true);
      expect(c.subarray(c.length - width).every((v) => v === 0)).toBe(true);
    } finally {
      await Promise.all([resident.release(), roundTrip.release()]);
    }
  });
});

describe('resume with GPU residency', () => {
  for (const [id, solver] of [
    ['test-fastwan', 'unipc'],
    ['test-zimage', 'dpmpp-2m'],
    ['test-sdturbo', 'euler'],
  ] as const)
    it(`${id} (${solver}, block-streamed or not) resumed from step 2 equals the uninterrupted run byte for byte`, async () => {
      const { engine } = gpuEngine();
      const r = { ...request(id, solver), steps: id === 'test-sdturbo' ? 4 : 5 };
      const checkpoints: LatentCheckpoint[] = [];
      const full = await engine.generate('a', r, { onCheckpoint: (cp) => void checkpoints.push(cp) });
      const resumed = await engine.generate('b', r, { resumeFrom: checkpoints[1] });
      expect(Buffer.from(resumed.latent.buffer).equals(Buffer.from(full.latent.buffer))).toBe(true);
      expect(Buffer.from(resumed.frames.rgba).equals(Buffer.from(full.frames.rgba))).toBe(true);
    });
});
