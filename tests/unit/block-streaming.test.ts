/**
 * Double-buffered block streaming (component-runner openChain): with `resident` 2, the next
 * stage's session is created while the current stage runs, never more than two sessions exist,
 * and the chain's output equals the fully resident run. Real onnxruntime-node sessions of the
 * test-fastwan transformer, wrapped to log when each create/run/release starts and ends.
 */
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../src/engine/pack/load-pack';
import type { ComponentSpec } from '../../src/engine/pack/components';
import type { PackSource } from '../../src/engine/pack/pack-source';
import { openComponent, pinnedStages } from '../../src/engine/pipeline/component-runner';
import { type OrtModule, type OrtSession, type OrtTensor, readFloats } from '../../src/engine/runtime';
import { diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

type Event = { what: 'create' | 'created' | 'run' | 'ran' | 'release'; stage: number };

/** ortNodeModule whose sessions log their lifecycle; a session is known by the graph bytes' doc string order. */
function loggingOrt(stageOf: (bytes: Uint8Array) => number, log: Event[], lastStage: number): OrtModule {
  return {
    Tensor: ortNodeModule.Tensor,
    InferenceSession: {
      async create(bytes, options) {
        const stage = stageOf(bytes as Uint8Array);
        log.push({ what: 'create', stage });
        const s = await ortNodeModule.InferenceSession.create(bytes, options);
        log.push({ what: 'created', stage });
        const wrapped: OrtSession = Object.create(s) as OrtSession;
        wrapped.run = async (feeds: Record<string, OrtTensor>) => {
          log.push({ what: 'run', stage });
          // Stand in for a GPU run long enough for a concurrent creation to start: until the next
          // stage's creation is logged (at most 2 s, so a runner that never overlaps still fails
          // the assertion below instead of hanging), however loaded the machine is.
          for (
            let waited = 0;
            stage < lastStage &&
            waited < 2000 &&
            !log.some((e) => e.what === 'create' && e.stage === stage + 1);
            waited += 2
          ) {
            await new Promise((r) => setTimeout(r, 2));
          }
          const out = await s.run(feeds);
          log.push({ what: 'ran', stage });
          return out;
        };
        wrapped.release = async () => {
          log.push({ what: 'release', stage });
          await s.release();
        };
        return wrapped;
      },
    },
  };
}

const PACK = 'test-fastwan';
const disk = diskPackSource(PACK, TEST_PACKS_DIR);
const cache = new Map<string, Uint8Array>();
/** The pack read once into memory, so file reads take no time and only session work is timed. */
const source: PackSource = {
  label: PACK,
  async readBytes(file) {
    if (!cache.has(file)) cache.set(file, await disk.readBytes(file));
    return cache.get(file) as Uint8Array;
  },
  readBlob: async (file) => new Blob([(await source.readBytes(file)) as Uint8Array<ArrayBuffer>]),
};

async function transformerInputs(): Promise<Record<string, OrtTensor>> {
  const manifest = await readManifest(source);
  const T = ortNodeModule.Tensor;
  const [c, t, h, w] = [manifest.latent.channels, 3, 4, 4];
  const seq = t * (h / 2) * (w / 2);
  const latents = new T(
    'float32',
    Float32Array.from({ length: c * t * h * w }, (_, i) => Math.sin(i * 0.37)),
    [1, c, t, h, w],
  );
  const timestep = new T(
    'int64',
    BigInt64Array.from({ length: seq }, () => 500n),
    [1, seq],
  );
  const textDims = [1, manifest.tokenizer.maxLength, 32];
  const context = new T(
    'float32',
    Float32Array.from({ length: textDims.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i * 0.11)),
    textDims,
  );
  return { latents, timestep, context };
}

describe('double-buffered block streaming', () => {
  it('creates stage i+1 while stage i runs, keeps at most `resident` sessions, and matches the fully resident output', async () => {
    const manifest = await readManifest(source);
    const spec = manifest.components.transformer as ComponentSpec;
    const stages = spec.stages ?? [];
    expect(stages.length).toBe(5); // shell_pre, 3 blocks, shell_post
    expect(spec.resident).toBe(2);
    const graphBytes = await Promise.all(stages.map((s) => source.readBytes(s.file)));
    const stageOf = (bytes: Uint8Array) =>
      graphBytes.findIndex((b) => b.byteLength === bytes.byteLength && b.every((v, i) => v === bytes[i]));
    const inputs = await transformerInputs();
    await Promise.all(
      stages.flatMap((s) => [s.file, ...s.externalData.map((x) => x.file)]).map((f) => source.readBytes(f)),
    );

    const log: Event[] = [];
    const streamed = await openComponent(loggingOrt(stageOf, log, stages.length - 1), source, spec, 'wasm', {
      gpuOutputs: false,
    });
    const out = await readFloats((await streamed.run(inputs)).prediction as OrtTensor);
    await streamed.release();

    const resident = await openComponent(ortNodeModule, source, { ...spec, resident: undefined }, 'wasm', {
      gpuOutputs: false,
    });
    const expected = await readFloats((await resident.run(inputs)).prediction as OrtTensor);
    await resident.release();
    expect(out).toEqual(expected);

    // Overlap: for every stage but the last, the next stage's creation starts before this stage's run ends.
    for (let i = 0; i < stages.length - 1; i++) {
      const nextCreate = log.findIndex((e) => e.what === 'create' && e.stage === i + 1);
      const ran = log.findIndex((e) => e.what === 'ran' && e.stage === i);
      expect(nextCreate, `stage ${i + 1} created during stage ${i}`).toBeGreaterThan(-1);
      expect(nextCreate, `stage ${i + 1} created during stage ${i}`).toBeLessThan(ran);
    }
    // Window: sessions that exist (created or being created, not released) never exceed resident.
    let live = 0;
    let peak = 0;
    for (const e of log) {
      if (e.what === 'create') live += 1;
      if (e.what === 'release') live -= 1;
      peak = Math.max(peak, live);
    }
    expect(peak).toBe(2);
    expect(live).toBe(0);
  });
});

describe('pinned stages', () => {
  it('keeps the first stage, then the last, then the blocks, in what two streaming slots leave of the window', () => {
    expect([...pinnedStages(5, 2)]).toEqual([]);
    expect([...pinnedStages(5, 3)]).toEqual([0]);
    expect([...pinnedStages(5, 4)]).toEqual([0, 4]);
    expect([...pinnedStages(5, 5)]).toEqual([0, 1, 2, 3, 4]);
    expect([...pinnedStages(32, 6)]).toEqual([0, 31, 1, 2]);
  });

  it('with resident 3, shell_pre is created once over three runs (steps) while the blocks stream; resident 2 re-creates it every run', async () => {
    const manifest = await readManifest(source);
    const spec = manifest.components.transformer as ComponentSpec;
    const stages = spec.stages ?? [];
    const shellPre = await source.readBytes((stages[0] as { file: string }).file);
    const isShellPre = (b: Uint8Array) =>
      b.byteLength === shellPre.byteLength && b.every((v, i) => v === shellPre[i]);
    const inputs = await transformerInputs();
    const created = async (resident: number) => {
      const log: Event[] = [];
      const runner = await openComponent(
        loggingOrt((b) => (isShellPre(b) ? 0 : 1), log, -1),
        source,
        { ...spec, resident },
        'wasm',
        { gpuOutputs: false },
      );
      const outs = [];
      for (let step = 0; step < 3; step++)
        outs.push(await readFloats((await runner.run(inputs)).prediction as OrtTensor));
      await runner.release();
      let live = 0;
      let peak = 0;
      for (const e of log) {
        live += e.what === 'create' ? 1 : e.what === 'release' ? -1 : 0;
        peak = Math.max(peak, live);
      }
      expect(peak).toBeLessThanOrEqual(resident);
      expect(outs[2]).toEqual(outs[0]);
      return log.filter((e) => e.what === 'create' && e.stage === 0).length;
    };
    expect(await created(3)).toBe(1);
    expect(await created(2)).toBe(3);
  });
});
