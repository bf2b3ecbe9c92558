/**
 * LoRA numerics on the random-weight test pack with onnxruntime-node: a LoRA merged at m equals a
 * pack generated with W + m·(alpha/rank)·B·A baked in (max abs difference below 1e-5 on the final
 * latent), m = 0 equals no LoRA exactly, and a per-step schedule changes exactly the steps it names.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/engine/hash';
import type { LatentCheckpoint } from '../../src/engine/pipeline/generate';
import type { LoraRef, TaskRequest } from '../../src/engine/request';
import { randomTransformer } from '../../tools/demo-pack/graphs';
import { TIMESTEP_SCALE } from '../../tools/demo-pack/manifests';
import { RANDOM_TRANSFORMER_SEED } from '../../tools/make-demo-packs';
import { diffTensor, TEST_MODULES, testLoraFiles, testPairs } from '../../tools/test-loras/index';
import { rejection } from '../helpers/errors';
import { diskPackSource } from '../helpers/ort-node';
import { copyPack, editManifest, smallRequest } from '../helpers/packs';
import { benchLora } from '../../src/engine/bench/lora-bench';
import { createEngine } from '../../src/engine/engine';
import { CPU_ONLY, ortNodeModule } from '../helpers/ort-node';

const files = testLoraFiles();
const PACK = 'test-t2v-random';

async function ref(name: string): Promise<LoraRef> {
  return { id: name, name, sha256: await sha256Hex(files[name] as Uint8Array) };
}

function engineWith(sourceDir?: string, created?: { n: number }) {
  const ort = created
    ? {
        ...ortNodeModule,
        InferenceSession: {
          create: async (b: Uint8Array, o?: object) => (
            (created.n += 1),
            ortNodeModule.InferenceSession.create(b, o as never)
          ),
        },
      }
    : ortNodeModule;
  return createEngine({
    ort,
    sourceFor: async (id) => diskPackSource(id, sourceDir),
    probe: async () => CPU_ONLY,
    readLora: async (r) => files[r.name] ?? Promise.reject(new Error('gone')),
  });
}

/** W[in, out] + m·Σ (alpha/rank)·(B·A)ᵀ, computed here independently of src/engine/lora. */
function baked(m: number, withDiff = false) {
  const pairs = testPairs();
  return (name: string, w: Float32Array) => {
    const out = w.slice();
    const module = name.replace(/\.weight$/, '');
    const p = pairs.find((x) => x.module === module);
    const dims = TEST_MODULES[module];
    if (!p || !dims) return out;
    const [inDim, outDim] = dims;
    const scale = (p.alpha ?? p.rank) / p.rank;
    for (let i = 0; i < inDim; i++) {
      for (let o = 0; o < outDim; o++) {
        let s = 0;
        for (let r = 0; r < p.rank; r++) s += p.up[o * p.rank + r]! * p.down[r * inDim + i]!;
        out[i * outDim + o] = out[i * outDim + o]! + m * scale * s;
        if (withDiff && module === 'blocks.0.ffn.0')
          out[i * outDim + o] = out[i * outDim + o]! + m * diffTensor().data[o * inDim + i]!;
      }
    }
    return out;
  };
}

async function bakedPack(m: number): Promise<string> {
  const dir = await copyPack(PACK);
  await writeFile(
    join(dir, PACK, 'transformer.onnx'),
    randomTransformer(RANDOM_TRANSFORMER_SEED, TIMESTEP_SCALE, baked(m)),
  );
  await editManifest(dir, PACK, (raw) => {
    const t = (raw.components as Record<string, Record<string, unknown>>).transformer!;
    delete t.bytes;
    delete t.sha256;
  });
  return dir;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i]!)), 0);

describe('LoRA applied by the engine (onnxruntime-node)', () => {
  const request = (patch: Partial<TaskRequest>) =>
    smallRequest(PACK, { steps: 4, guidance: 2, negativePrompt: 'blurry', ...patch });

  it('every naming convention at m = 0.7 equals the pack with the delta baked in (max |Δ| < 1e-5), and m = 0 equals no LoRA', async () => {
    const engine = engineWith();
    const plain = await engine.generate('p', request({}));
    const bakedEngine = engineWith(await bakedPack(0.7));
    const expected = await bakedEngine.generate('b', request({}));
    expect(maxAbsDiff(expected.latent, plain.latent)).toBeGreaterThan(1e-2); // the LoRA matters
    for (const name of [
      'test-style.safetensors',
      'test-style-kohya.safetensors',
      'test-style-peft.safetensors',
    ]) {
      const out = await engine.generate(name, request({ loras: [await ref(name)], lorasMultipliers: '0.7' }));
      expect(maxAbsDiff(out.latent, expected.latent)).toBeLessThan(1e-5);
    }
    const zero = await engine.generate(
      'z',
      request({ loras: [await ref('test-style.safetensors')], lorasMultipliers: '0' }),
    );
    expect(zero.latent).toEqual(plain.latent);
  });

  it('two LoRAs add: a low-rank LoRA and a .diff LoRA at 0.5 each equal both deltas baked in', async () => {
    const dir = await copyPack(PACK);
    await writeFile(
      join(dir, PACK, 'transformer.onnx'),
      randomTransformer(RANDOM_TRANSFORMER_SEED, TIMESTEP_SCALE, baked(0.5, true)),
    );
    await editManifest(dir, PACK, (raw) => {
      const t = (raw.components as Record<string, Record<string, unknown>>).transformer!;
      delete t.bytes;
      delete t.sha256;
    });
    const expected = await engineWith(dir).generate('b', request({}));
    const out = await engineWith().generate(
      'l',
      request({
        loras: [await ref('test-style.safetensors'), await ref('test-diff.safetensors')],
        lorasMultipliers: '0.5 0.5',
      }),
    );
    expect(maxAbsDiff(out.latent, expected.latent)).toBeLessThan(1e-5);
  });

  it('a per-step schedule changes exactly the steps it names, creates sessions only where it changes, and resumes with the same weights', async () => {
    const created = { n: 0 };
    const engine = engineWith(undefined, created);
    const lora = [await ref('test-style.safetensors')];
    const run = async (id: string, mult?: string) => {
      const cps: LatentCheckpoint[] = [];
      const r = await engine.generate(
        id,
        request(mult === undefined ? {} : { loras: lora, lorasMultipliers: mult }),
        { onCheckpoint: (c) => void cps.push(c) },
      );
      return { r, cps };
    };
    const none = await run('n');
    const before = created.n;
    const sched = await run('s', '0,0,1,1');
    expect(created.n - before).toBe(1); // one merged session, made at step 3 (steps 1–2 use the pack's own)
    const full = await run('f', '1');
    // Steps 1–2 of the schedule are the plain model's, bit for bit; step 3 is where it departs.
    expect(sched.cps[0]!.latent).toEqual(none.cps[0]!.latent);
    expect(sched.cps[1]!.latent).toEqual(none.cps[1]!.latent);
    expect(maxAbsDiff(sched.cps[2]!.latent, none.cps[2]!.latent)).toBeGreaterThan(1e-3);
    // "1,1,0,0": steps 1–2 equal the constant LoRA, step 3 departs from it.
    const rev = await run('r', '1,1,0,0');
    expect(rev.cps[1]!.latent).toEqual(full.cps[1]!.latent);
    expect(maxAbsDiff(rev.cps[2]!.latent, full.cps[2]!.latent)).toBeGreaterThan(1e-3);
    // Crash resume from step 2 with the schedule gives the uninterrupted result.
    const resumed = await engine.generate('x', request({ loras: lora, lorasMultipliers: '0,0,1,1' }), {
      resumeFrom: sched.cps[1],
    });
    expect(resumed.latent).toEqual(sched.r.latent);
  });

  it('a cond:uncond split changes only the pass it names', async () => {
    const engine = engineWith();
    const lora = [await ref('test-style.safetensors')];
    const gen = async (id: string, patch: Partial<TaskRequest>, mult?: string) =>
      (
        await engine.generate(
          id,
          request({ ...patch, ...(mult === undefined ? {} : { loras: lora, lorasMultipliers: mult }) }),
        )
      ).latent;
    // Without CFG only the conditional pass runs: the unconditional value is never used.
    const noCfg = { guidance: 1 };
    expect(await gen('a', noCfg, '1:0')).toEqual(await gen('b', noCfg, '1'));
    expect(await gen('c', noCfg, '0:1')).toEqual(await gen('d', noCfg));
    // With CFG: 1:1 is 1, 0:0 is no LoRA, and 1:0 / 0:1 are neither.
    const full = await gen('e', {}, '1');
    const none = await gen('f', {});
    expect(await gen('g', {}, '1:1')).toEqual(full);
    expect(await gen('h', {}, '0:0')).toEqual(none);
    for (const split of ['1:0', '0:1']) {
      const got = await gen(split, {}, split);
      expect(maxAbsDiff(got, full)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(got, none)).toBeGreaterThan(1e-3);
    }
  });

  it('a missing LoRA, a LoRA changed since the task was made, and a LoRA for another model fail with clear messages', async () => {
    const engine = engineWith();
    const missing = await rejection(
      engine.generate(
        'm',
        request({ loras: [{ id: 'x', name: 'gone.safetensors', sha256: 'a'.repeat(64) }] }),
      ),
    );
    expect(missing.message).toMatch(/gone/);
    const changed = await rejection(
      engine.generate(
        'c',
        request({ loras: [{ ...(await ref('test-style.safetensors')), sha256: 'b'.repeat(64) }] }),
      ),
    );
    expect(changed.code).toBe('missing-lora');
    expect(changed.message).toBe(
      'The stored LoRA test-style.safetensors is not the file this task was made with (its sha256 differs). Import test-style.safetensors again.',
    );
    // A LoRA used once and then deleted from the library: after forgetLora the engine reads storage again.
    let present = true;
    const style = await ref('test-style.safetensors');
    const forgetful = createEngine({
      ort: ortNodeModule,
      sourceFor: async (id) => diskPackSource(id),
      probe: async () => CPU_ONLY,
      readLora: async (r) => (present ? files[r.name]! : Promise.reject(new Error(`${r.name} deleted`))),
    });
    await forgetful.generate('u', request({ loras: [style] }));
    present = false;
    await forgetful.forgetLora(style.sha256);
    expect((await rejection(forgetful.generate('v', request({ loras: [style] })))).message).toBe(
      'test-style.safetensors deleted',
    );
    const noLoraPack = await rejection(
      engine.generate('d', { ...smallRequest('demo-t2v'), loras: [await ref('test-style.safetensors')] }),
    );
    expect(noLoraPack.code).toBe('invalid-request');
    expect(noLoraPack.message).toMatch(/takes no LoRAs/);
  });

  it('the schedule bench re-merges at every changed step in one mode and reuses two cached sessions in the other', async () => {
    const r = await benchLora(
      ortNodeModule,
      diskPackSource(PACK),
      request({ steps: 6, guidance: 1 }),
      files['test-style.safetensors']!,
      'wasm',
    );
    expect(r.remergeSessions).toBe(6);
    expect(r.cachedSessions).toBe(2);
    expect(r.remergeOverCached).toBeGreaterThan(0);
  });
});
