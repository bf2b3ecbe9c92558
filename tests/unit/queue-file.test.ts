/** Queue export/import (src/engine/queue/queue-file.ts): round trip, whole-file errors, per-task errors. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseManifestText, type PackManifest } from '../../src/engine/pack/manifest';
import { exportQueue, importQueue, MAX_QUEUE_JSON_BYTES } from '../../src/engine/queue/queue-file';
import { defaultRequest, type TaskRequest } from '../../src/engine/request';
import { requestParams } from '../../src/engine/settings';
import { thrown } from '../helpers/errors';
import { PACKS_DIR } from '../helpers/ort-node';

const PACKS = ['demo-t2v', 'test-t2v-random'];
const manifests = new Map<string, PackManifest>(
  PACKS.map((id) => [id, parseManifestText(readFileSync(join(PACKS_DIR, id, 'pack.json'), 'utf8'))]),
);
const manifestFor = (id: string) => manifests.get(id);
const demo = manifests.get('demo-t2v')!;

function request(patch: Partial<TaskRequest> = {}): TaskRequest {
  return {
    ...defaultRequest(demo, 'a red ball'),
    seed: 7,
    steps: 12,
    frames: 9,
    resolution: '320x192',
    ...patch,
  };
}

/** A zip holding queue.json with `items` (or raw text) plus extra files. */
function queueZip(items: unknown, extra: Record<string, Uint8Array> = {}): Uint8Array {
  const text = typeof items === 'string' ? items : JSON.stringify(items);
  const files: Zippable = { 'queue.json': strToU8(text), ...extra };
  return zipSync(files);
}

const importOf = (bytes: Uint8Array) => importQueue(bytes, 'q.zip', manifestFor, PACKS);

describe('exportQueue', () => {
  it('writes queue.json with WanGP params and media paths, media stored uncompressed', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const zip = await exportQueue([
      { id: 't1', request: request(), media: { image_start: new Blob([png], { type: 'image/png' }) } },
    ]);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['media/1_image_start.png', 'queue.json']);
    expect(JSON.parse(strFromU8(files['queue.json']!))).toEqual([
      { id: 't1', params: { ...requestParams(request()), image_start: 'media/1_image_start.png' } },
    ]);
    expect(strFromU8(files['queue.json']!)).toContain('\n  ');
    expect([...files['media/1_image_start.png']!]).toEqual([...png]);
    const methods: Record<string, number> = {};
    unzipSync(zip, { filter: (f) => ((methods[f.name] = f.compression), false) });
    expect(methods).toEqual({ 'media/1_image_start.png': 0, 'queue.json': 8 });
  });

  it('names media by MIME type, "bin" when unknown', async () => {
    const blob = (type: string) => new Blob([new Uint8Array([1])], { type });
    const media = {
      image_end: blob('image/jpeg'),
      video_guide: blob('video/mp4'),
      audio_guide: blob('audio/mpeg'),
      audio_source: blob('audio/wav'),
      image_refs: blob('image/webp'),
      image_mask: blob(''),
    };
    const files = unzipSync(await exportQueue([{ id: 'x', request: request(), media }]));
    expect(Object.keys(files).sort()).toEqual([
      'media/1_audio_guide.mp3',
      'media/1_audio_source.wav',
      'media/1_image_end.jpg',
      'media/1_image_mask.bin',
      'media/1_image_refs.webp',
      'media/1_video_guide.mp4',
      'queue.json',
    ]);
  });
});

describe('importQueue round trip', () => {
  it('carries the LoRA selection (names, multipliers and hashes), whether or not the LoRA files are here', async () => {
    const lora = { id: 'c'.repeat(64), name: 'style.safetensors', sha256: 'c'.repeat(64) };
    const withLora = {
      ...defaultRequest(manifests.get('test-t2v-random')!, 'a cat'),
      loras: [lora],
      lorasMultipliers: '0,1',
    };
    const zip = await exportQueue([{ id: 'l', request: withLora }]);
    expect(JSON.parse(strFromU8(unzipSync(zip)['queue.json']!))[0].params).toMatchObject({
      activated_loras: ['style.safetensors'],
      loras_multipliers: '0,1',
      loras_hashes: ['c'.repeat(64)],
    });
    const back = importOf(zip);
    expect(back.errors).toEqual([]);
    expect(back.items[0]?.request).toEqual(withLora);
  });

  it('returns equal requests and media bytes and types', async () => {
    const jpg = new Uint8Array([0xff, 0xd8, 0xff, 9, 8, 7]);
    const wav = new Uint8Array([0x52, 0x49, 0x46, 0x46, 5]);
    const tasks = [
      {
        id: 'a',
        request: request({
          prompt: 'ünïcødé "quoted" 日本',
          negativePrompt: 'blurry',
          shift: 5,
          guidance: 2.5,
        }),
      },
      {
        id: 'b',
        request: { ...defaultRequest(manifests.get('test-t2v-random')!, 'a cat'), seed: 99 },
        media: {
          image_start: new Blob([jpg], { type: 'image/jpeg' }),
          audio_guide: new Blob([wav], { type: 'audio/wav' }),
        },
      },
    ];
    const result = importOf(await exportQueue(tasks));
    expect(result.errors).toEqual([]);
    expect(result.items.map((i) => i.request)).toEqual(tasks.map((t) => t.request));
    expect(result.items[0]!.media).toBeUndefined();
    const media = result.items[1]!.media!;
    expect(Object.keys(media).sort()).toEqual(['audio_guide', 'image_start']);
    expect(media.image_start!.type).toBe('image/jpeg');
    expect(new Uint8Array(await media.image_start!.arrayBuffer())).toEqual(jpg);
    expect(media.audio_guide!.type).toBe('audio/wav');
    expect(new Uint8Array(await media.audio_guide!.arrayBuffer())).toEqual(wav);
  });

  it('imports a WanGP-style queue.json with extra keys, numeric ids and unused media roles', () => {
    const params = {
      type: 'WanGP v8.7 by DeepBeepMeep',
      prompt: 'a fox',
      negative_prompt: '',
      seed: 1234,
      num_inference_steps: 20,
      video_length: 33,
      resolution: '256x256',
      sample_solver: 'euler',
      flow_shift: 5,
      guidance_scale: 4.5,
      activated_loras: [],
      model_type: 'demo-t2v',
      image_start: null,
      video_guide: '',
      repeat_generation: 1,
    };
    const result = importOf(queueZip([{ id: 3, params, plugin_data: {} }]));
    expect(result.errors).toEqual([]);
    expect(result.items).toEqual([
      {
        request: {
          packId: 'demo-t2v',
          prompt: 'a fox',
          negativePrompt: '',
          seed: 1234,
          steps: 20,
          frames: 33,
          resolution: '256x256',
          solver: 'euler',
          shift: 5,
          guidance: 4.5,
        },
      },
    ]);
  });
});

describe('importQueue whole-file errors', () => {
  it('refuses bytes that are not a zip', () => {
    const err = thrown(() => importOf(strToU8('{"hello": 1}')));
    expect(err.code).toBe('invalid-queue-file');
    expect(err.message).toBe(
      "q.zip is not a queue file: it is not a .zip. Export a queue from WebGP (or WanGP's queue.zip) and import that.",
    );
  });

  it('refuses a damaged zip', () => {
    const err = thrown(() => importOf(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0])));
    expect(err.code).toBe('invalid-queue-file');
    expect(err.message).toMatch(/^q\.zip is not a queue file: the zip is damaged/);
  });

  it('refuses a zip without queue.json', () => {
    const err = thrown(() => importOf(zipSync({ 'other.txt': strToU8('x') })));
    expect(err.code).toBe('invalid-queue-file');
    expect(err.message).toMatch(/^q\.zip has no queue\.json\./);
  });

  it('refuses queue.json that is not JSON, quoting the parse error', () => {
    const err = thrown(() => importOf(queueZip('[{"id": ')));
    expect(err.code).toBe('invalid-queue-file');
    expect(err.message).toMatch(/^q\.zip has a queue\.json that is not valid JSON \(.+\)/);
  });

  it('refuses queue.json that is not a list', () => {
    const err = thrown(() => importOf(queueZip({ id: 'a', params: {} })));
    expect(err.code).toBe('invalid-queue-file');
    expect(err.message).toMatch(/^q\.zip has a queue\.json that is not a list of tasks/);
  });

  it('refuses a queue.json above the size limit', () => {
    const big = new Uint8Array(MAX_QUEUE_JSON_BYTES + 1).fill(0x20);
    const err = thrown(() => importOf(zipSync({ 'queue.json': [big, { level: 1 }] })));
    expect(err.code).toBe('invalid-queue-file');
    expect(err.message).toMatch(
      /^q\.zip has a queue\.json of 16777217 bytes, more than the 16777216 allowed/,
    );
  });
});

describe('importQueue per-task errors', () => {
  const good = (id: string, patch: Record<string, unknown> = {}) => ({
    id,
    params: { ...requestParams(request()), ...patch },
  });

  it('reports each bad task and still imports the valid ones', () => {
    const png = new Uint8Array([1, 2, 3]);
    const items = [
      good('a'),
      good('b', { model_type: 'nope' }),
      good('c', { num_inference_steps: 999 }),
      good('d', { image_start: 'media/4_image_start.png' }),
      good('e', { image_end: 'media/e.png' }),
      'not an object',
      { id: 'g' },
      good('h', { resolution: '999x1', prompt: '' }),
      good('i', { model_type: undefined }),
    ];
    const result = importOf(queueZip(items, { 'media/e.png': png }));
    expect(result.items.map((i) => i.request)).toEqual([request(), request()]);
    expect(result.items[1]!.media!.image_end!.type).toBe('image/png');
    expect(result.errors).toEqual([
      {
        index: 2,
        id: 'b',
        message: 'Task 2 (id "b"): unknown model "nope". Should be one of: demo-t2v, test-t2v-random.',
      },
      { index: 3, id: 'c', message: 'Task 3 (id "c"): steps: Steps must be a whole number from 1 to 50.' },
      {
        index: 4,
        id: 'd',
        message: 'Task 4 (id "d"): media file "media/4_image_start.png" is missing from the zip.',
      },
      { index: 6, message: 'Task 6: expected an object with "params" (an object of settings).' },
      {
        index: 7,
        id: 'g',
        message: 'Task 7 (id "g"): expected an object with "params" (an object of settings).',
      },
      {
        index: 8,
        id: 'h',
        message:
          'Task 8 (id "h"): resolution 999x1 is not available for this model. prompt: Enter a prompt: describe what the video should show.',
      },
      {
        index: 9,
        id: 'i',
        message: 'Task 9 (id "i"): no model_type. Should be one of: demo-t2v, test-t2v-random.',
      },
    ]);
  });

  it('combines an unknown model and missing media into one message', () => {
    const result = importOf(queueZip([good('z', { model_type: 'nope', video_source: 'clip.mp4' })]));
    expect(result.items).toEqual([]);
    expect(result.errors).toEqual([
      {
        index: 1,
        id: 'z',
        message:
          'Task 1 (id "z"): unknown model "nope". Should be one of: demo-t2v, test-t2v-random. media file "clip.mp4" is missing from the zip.',
      },
    ]);
  });

  it('imports tasks carrying Object prototype names as keys or media paths; only the one with a bogus media path is reported', () => {
    const proto = JSON.parse('{"__proto__": 5}') as Record<string, unknown>;
    const items = [
      good('a', { constructor: 1 }),
      good('b', { toString: 'x', ...proto }),
      good('c', { image_end: 'constructor' }),
      good('d', { valueOf: [] }),
    ];
    const result = importOf(queueZip(items));
    expect(result.items.map((i) => i.request)).toEqual([request(), request(), request()]);
    expect(result.errors).toEqual([
      { index: 3, id: 'c', message: 'Task 3 (id "c"): media file "constructor" is missing from the zip.' },
    ]);
  });
});
