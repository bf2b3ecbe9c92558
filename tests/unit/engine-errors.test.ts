/** Engine failure paths on the demo pack: cancel → AbortError, invalid request before any work,
 * corrupt/missing pack files and bad tensor-name mappings → named EngineError codes. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { httpPackSource } from '../../src/engine/pack/pack-source';
import type { Progress } from '../../src/engine/progress';
import type { OrtModule } from '../../src/engine/runtime';
import { rejection } from '../helpers/errors';
import { CPU_ONLY, diskPackSource, ortNodeModule, PACKS_DIR } from '../helpers/ort-node';
import { copyPack, cpuEngine, editManifest, smallRequest } from '../helpers/packs';

const request = smallRequest('demo-t2v');

describe('engine errors', () => {
  it('cancel(jobId) from the progress callback at step 2 rejects with AbortError; the job id is reusable', async () => {
    const engine = cpuEngine();
    const steps: number[] = [];
    const onProgress = (p: Progress) => {
      if (p.stage !== 'denoise') return;
      steps.push(p.step);
      if (p.step === 2) engine.cancel('job-1');
    };
    const err = await rejection(engine.generate('job-1', request, { onProgress }));
    expect(err.name).toBe('AbortError');
    expect(err.message).toBe('Generation was cancelled.');
    expect(steps).toEqual([1, 2]);
    const again = await engine.generate('job-1', request);
    expect(again.frames.count).toBe(9);
  });

  it('rejects an invalid request (steps 0) with invalid-request before loading anything', async () => {
    let sessions = 0;
    const create: OrtModule['InferenceSession']['create'] = (bytes, options) => {
      sessions += 1;
      return ortNodeModule.InferenceSession.create(bytes, options);
    };
    const counting: OrtModule = { ...ortNodeModule, InferenceSession: { create } };
    const engine = createEngine({
      ort: counting,
      sourceFor: async (id) => diskPackSource(id),
      probe: async () => CPU_ONLY,
    });
    const events: Progress[] = [];
    const err = await rejection(
      engine.generate('j', { ...request, steps: 0 }, { onProgress: (p) => events.push(p) }),
    );
    expect(err.code).toBe('invalid-request');
    expect(err.fields).toEqual({ steps: 'Steps must be a whole number from 1 to 50.' });
    expect(events).toEqual([]);
    expect(sessions).toBe(0);
  });

  it('a corrupt pack.json gives invalid-manifest naming the pack', async () => {
    const dir = await copyPack('demo-t2v');
    await writeFile(join(dir, 'demo-t2v', 'pack.json'), '{ "schema": "webgp.pack/1", ');
    const err = await rejection(cpuEngine((id) => diskPackSource(id, dir)).generate('j', request));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toMatch(/^Invalid pack\.json of demo-t2v: not valid JSON/);
  });

  it('an HTTP 404 for a model file gives missing-file naming the file', async () => {
    const requested: string[] = [];
    const fakeFetch = async (url: string) => {
      requested.push(url);
      const file = url.replace('https://models.test/demo-t2v/', '');
      if (file === 'transformer.onnx') return new Response('not found', { status: 404 });
      return new Response(await readFile(join(PACKS_DIR, 'demo-t2v', file)));
    };
    const engine = cpuEngine(() => httpPackSource('https://models.test/demo-t2v', fakeFetch));
    const err = await rejection(engine.generate('j', request));
    expect(err.code).toBe('missing-file');
    expect(err.message).toBe(
      'Model file transformer.onnx is missing from pack https://models.test/demo-t2v/ (HTTP 404). Re-install the pack.',
    );
    expect(requested).toContain('https://models.test/demo-t2v/pack.json');
  });

  it('a network failure gives missing-file with what to do', async () => {
    const source = httpPackSource('/models/demo-t2v/', async () =>
      Promise.reject(new TypeError('Failed to fetch')),
    );
    const err = await rejection(source.readBytes('pack.json'));
    expect(err.code).toBe('missing-file');
    expect(err.message).toBe(
      'Could not fetch pack.json from /models/demo-t2v/ (Failed to fetch). Check your connection, or use a pack that is already stored.',
    );
  });

  it('a flipped byte in transformer.onnx fails the integrity check (corrupt-model)', async () => {
    const dir = await copyPack('demo-t2v');
    const file = join(dir, 'demo-t2v', 'transformer.onnx');
    const bytes = await readFile(file);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    await writeFile(file, bytes);
    const err = await rejection(cpuEngine((id) => diskPackSource(id, dir)).generate('j', request));
    expect(err.code).toBe('corrupt-model');
    expect(err.message).toBe(
      'Model file transformer.onnx failed its integrity check (sha256 differs from pack.json). Re-install the pack.',
    );
  });

  it('a truncated file fails the size check (corrupt-model)', async () => {
    const dir = await copyPack('demo-t2v');
    const file = join(dir, 'demo-t2v', 'vae_decoder.onnx');
    await writeFile(file, (await readFile(file)).subarray(0, 100));
    const err = await rejection(cpuEngine((id) => diskPackSource(id, dir)).generate('j', request));
    expect(err.code).toBe('corrupt-model');
    expect(err.message).toMatch(/^Model file vae_decoder\.onnx is 100 bytes but the pack says \d+/);
  });

  it('non-ONNX bytes without integrity data give corrupt-model from session creation', async () => {
    const dir = await copyPack('demo-t2v');
    await writeFile(join(dir, 'demo-t2v', 'text_encoder.onnx'), 'this is not a model');
    await editManifest(dir, 'demo-t2v', (m) => {
      const te = (m.components as Record<string, Record<string, unknown>>).textEncoder as Record<
        string,
        unknown
      >;
      delete te.sha256;
      delete te.bytes;
    });
    const err = await rejection(cpuEngine((id) => diskPackSource(id, dir)).generate('j', request));
    expect(err.code).toBe('corrupt-model');
    expect(err.message).toMatch(/^Could not load text_encoder\.onnx: .+ re-install the pack\.$/);
  });

  it('a tensor name missing from the graph gives invalid-manifest listing the real names (the graph contract, as the session loads)', async () => {
    const dir = await copyPack('demo-t2v');
    await editManifest(dir, 'demo-t2v', (m) => {
      const tr = (m.components as Record<string, Record<string, Record<string, string>>>).transformer;
      (tr?.inputs as Record<string, string>).latents = 'nope';
    });
    const err = await rejection(cpuEngine((id) => diskPackSource(id, dir)).generate('j', request));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toBe(
      'transformer.onnx has no input "nope" (role latents); its inputs are: hidden_states, timestep, encoder_hidden_states. Fix components.transformer.inputs in pack.json, or list latents in ifDeclared; ' +
        'transformer.onnx input "hidden_states": nothing in pack.json feeds it (components.transformer.inputs maps nope, timestep, encoder_hidden_states), so a run would fail. ' +
        'Fix pack.json (or re-export the graph), then install the pack again.',
    );
  });
});
