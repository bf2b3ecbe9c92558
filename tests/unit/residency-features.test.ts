/**
 * Sequential residency keeps the engine's features: crash-resume checkpoints (bit-exact resume),
 * live previews, CFG, and LoRA-merged transformers (released before the VAE decoder is created),
 * on the random-weight pack with onnxruntime-node and a budget the pack does not fit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meterSessions } from '../../src/engine/bench/session-meter';
import { createEngine } from '../../src/engine/engine';
import { sha256Hex } from '../../src/engine/hash';
import type { LatentCheckpoint } from '../../src/engine/pipeline/generate';
import type { Progress } from '../../src/engine/progress';
import { testLoraFiles } from '../../tools/test-loras/index';
import { CPU_ONLY, diskPackSource, ortNodeModule, PACKS_DIR } from '../helpers/ort-node';
import { smallRequest } from '../helpers/requests';

const PACK = 'test-t2v-random';
const files = testLoraFiles();
const graph = (name: string) => new Uint8Array(readFileSync(join(PACKS_DIR, PACK, name)));
const known = {
  textEncoder: graph('text_encoder.onnx'),
  transformer: graph('transformer.onnx'),
  vaeDecoder: graph('vae_decoder.onnx'),
};
/** A session's component by its graph bytes; a graph the size of the transformer that is not it is a LoRA-merged copy. */
function labelOf(model: Uint8Array): string {
  for (const [name, bytes] of Object.entries(known))
    if (bytes.byteLength === model.byteLength && bytes.every((v, i) => v === model[i])) return name;
  return Math.abs(model.byteLength - known.transformer.byteLength) < 512 ? 'merged' : 'engine';
}

function engine(budgetGiB: number) {
  const meter = meterSessions(ortNodeModule, labelOf);
  const e = createEngine({
    ort: meter.ort,
    sourceFor: async (id) => diskPackSource(id),
    probe: async () => CPU_ONLY,
    gpuBudgetGiB: async () => budgetGiB,
    readLora: async (r) => files[r.name] ?? Promise.reject(new Error('gone')),
  });
  return { meter, engine: e };
}

const request = smallRequest(PACK, { steps: 6, guidance: 2.5, negativePrompt: 'blurry' });

describe('sequential residency with checkpoints, previews and LoRAs', () => {
  it('checkpoints every step, previews, and a resume from step 3 equal the uninterrupted and the resident runs', async () => {
    const resident = await engine(64).engine.generate('r', request);
    const { engine: seq } = engine(1e-6);
    const cps: LatentCheckpoint[] = [];
    const progress: Progress[] = [];
    const full = await seq.generate('a', request, {
      onCheckpoint: (c) => void cps.push(c),
      previews: true,
      onProgress: (p) => progress.push(p),
    });
    expect(full.residency).toBe('sequential');
    expect(full.latent).toEqual(resident.latent);
    expect(cps.map((c) => c.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.some((p) => p.stage === 'preview')).toBe(true);
    const resumed = await seq.generate('b', request, { resumeFrom: cps[2] });
    expect(resumed.latent).toEqual(full.latent);
    expect(resumed.frames.rgba).toEqual(full.frames.rgba);
  });

  it('a per-step LoRA schedule equals the resident run, and its merged transformer is gone before the VAE is created', async () => {
    const lora = [
      {
        id: 'l',
        name: 'test-style.safetensors',
        sha256: await sha256Hex(files['test-style.safetensors'] as Uint8Array),
      },
    ];
    const r = smallRequest(PACK, {
      steps: 4,
      guidance: 2,
      negativePrompt: 'blurry',
      loras: lora,
      lorasMultipliers: '0,0,1,1',
    });
    const resident = await engine(64).engine.generate('r', r);
    const { engine: seq, meter } = engine(1e-6);
    const out = await seq.generate('s', r);
    expect(out.latent).toEqual(resident.latent);
    const events = meter.log.filter((e) => e.label !== 'engine').map((e) => `${e.what} ${e.label}`);
    expect(events).toContain('create merged');
    const vae = events.indexOf('create vaeDecoder');
    expect(vae).toBeGreaterThan(events.lastIndexOf('release merged'));
    expect(vae).toBeGreaterThan(events.lastIndexOf('release transformer'));
    expect(meter.live().filter((l) => l !== 'engine')).toEqual(['vaeDecoder']);
  });
});
