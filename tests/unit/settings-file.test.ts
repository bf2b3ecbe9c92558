/** "Load settings": settings read back from MP4 comment atoms, PNG text chunks and JSON (WebGP or WanGP). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../src/engine/pack/load-pack';
import { defaultRequest } from '../../src/engine/request';
import { requestParams } from '../../src/engine/settings';
import { settingsBytes } from '../../src/engine/metadata/settings-bytes';
import { applySettings, readSettingsObject } from '../../src/engine/metadata/settings-file';
import { rejection } from '../helpers/errors';
import { diskPackSource } from '../helpers/ort-node';

const manifest = await readManifest(diskPackSource('demo-t2v'));
const current = defaultRequest(manifest, 'old prompt');
const tricky = 'a "quoted" <b>tag</b> — ünïcødé 日本 ball';
const wanGp = {
  type: 'WanGP v8.7 by DeepBeepMeep - Wan2.1 text2video 1.3B',
  prompt: tricky,
  negative_prompt: 'blurry',
  seed: 1234,
  num_inference_steps: 12,
  video_length: 33,
  resolution: '256x256',
  sample_solver: 'euler',
  flow_shift: 5,
  guidance_scale: 4.5,
  activated_loras: [],
  model_type: 't2v_1.3B',
};

/** An MP4 made by the system's ffmpeg with a comment tag (as WanGP writes it). */
function mp4WithComment(comment: string): Uint8Array {
  const file = join(mkdtempSync(join(tmpdir(), 'webgp-meta-')), 'wangp.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=64x64:d=0.2',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-metadata',
    `comment=${comment}`,
    file,
  ]);
  return new Uint8Array(readFileSync(file));
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8); // CRC left zero: the reader does not need it
  return out;
}

function png(...chunks: Uint8Array[]): Uint8Array {
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    ...chunks,
    pngChunk('IEND', new Uint8Array()),
  ];
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}
const bytes = (...parts: (string | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : [...p])));

describe('reading settings from files', () => {
  it('reads the comment atom of an MP4 written by ffmpeg, unicode and all', async () => {
    const s = await readSettingsObject('wangp.mp4', mp4WithComment(JSON.stringify(wanGp)));
    expect(s).toEqual(wanGp);
  });

  it('reads a dropped MP4 from its header only: the moov box, not the mdat before it', async () => {
    const mp4 = mp4WithComment(JSON.stringify(wanGp));
    let read = 0;
    const whole = new Blob([mp4 as Uint8Array<ArrayBuffer>]);
    // A Blob whose slices count the bytes they hand out.
    const counting = {
      size: whole.size,
      slice: (a?: number, b?: number) => {
        const part = whole.slice(a, b);
        return { arrayBuffer: () => ((read += part.size), part.arrayBuffer()) };
      },
      arrayBuffer: () => ((read += whole.size), whole.arrayBuffer()),
    } as unknown as Blob;
    const header = await settingsBytes(counting);
    expect(await readSettingsObject('wangp.mp4', header)).toEqual(wanGp);
    const mdat = Buffer.from(mp4).indexOf('mdat');
    const mdatSize = new DataView(mp4.buffer, mp4.byteOffset).getUint32(mdat - 4);
    expect(read).toBeLessThan(mp4.length - mdatSize + 100);
  });

  it('reads PNG tEXt, iTXt (UTF-8) and compressed iTXt comment chunks', async () => {
    const json = JSON.stringify({ prompt: tricky, seed: 9 });
    const latin = JSON.stringify({ prompt: 'plain', seed: 3 });
    expect(await readSettingsObject('a.png', png(pngChunk('tEXt', bytes('comment', [0], latin))))).toEqual({
      prompt: 'plain',
      seed: 3,
    });
    expect(
      await readSettingsObject(
        'b.png',
        png(pngChunk('iTXt', bytes('comment', [0, 0, 0], 'en', [0], [0], json))),
      ),
    ).toEqual({ prompt: tricky, seed: 9 });
    expect(
      await readSettingsObject(
        'c.png',
        png(pngChunk('iTXt', bytes('comment', [0, 1, 0], [0], [0], deflateSync(Buffer.from(json))))),
      ),
    ).toEqual({ prompt: tricky, seed: 9 });
  });

  it('reads plain JSON', async () => {
    expect(await readSettingsObject('s.json', bytes(JSON.stringify(wanGp)))).toEqual(wanGp);
  });

  it.each([
    ['notes.txt', bytes('hello'), 'not valid JSON'],
    ['list.json', bytes('[1,2]'), 'must be a JSON object'],
    ['bare.mp4', mp4WithComment(''), 'has no settings comment'],
    ['broken.mp4', mp4WithComment('{"prompt": '), 'not valid JSON'],
    ['blank.png', png(), 'no settings text chunk'],
  ])('refuses %s with a specific message', async (name, data, message) => {
    const err = await rejection(readSettingsObject(name, data));
    expect(err).toMatchObject({ code: 'invalid-settings-file' });
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toContain(message);
  });
});

describe('applying settings to the form', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])(
    'ignores the Object prototype name %s as a key and applies the rest',
    (key) => {
      const settings = JSON.parse(`{"prompt":"hello","${key}":1}`) as Record<string, unknown>;
      const r = applySettings(settings, current, manifest);
      expect(r.request.prompt).toBe('hello');
      expect(r.applied).toEqual(['prompt']);
      expect(r.ignored).toEqual([key]);
    },
  );

  it('maps WanGP keys onto the request and reports what it ignored and that the model differs', () => {
    const r = applySettings(wanGp, current, manifest);
    expect(r.origin).toBe('WanGP');
    expect(r.request).toEqual({
      ...current,
      prompt: tricky,
      negativePrompt: 'blurry',
      seed: 1234,
      steps: 12,
      frames: 33,
      resolution: '256x256',
      solver: 'euler',
      shift: 5,
      guidance: 4.5,
    });
    expect(r.applied).toHaveLength(9);
    expect(r.ignored).toEqual([]); // activated_loras: [] is an empty LoRA selection
    expect(r.otherModel).toBe('t2v_1.3B');
  });

  it('restores LoRAs: by hash from WebGP settings, by name from the library for WanGP files, and names the missing ones', () => {
    const a = { id: 'a'.repeat(64), name: 'style.safetensors', sha256: 'a'.repeat(64) };
    const b = { id: 'b'.repeat(64), name: 'motion.safetensors', sha256: 'b'.repeat(64) };
    const withLoras = { ...current, loras: [a, b], lorasMultipliers: '1 0.5,0' };
    const webgp = applySettings(requestParams(withLoras), current, manifest);
    expect(webgp.request.loras).toEqual([a, b]);
    expect(webgp.request.lorasMultipliers).toBe('1 0.5,0');
    expect(webgp.applied).toEqual(expect.arrayContaining(['loras', 'lorasMultipliers']));
    const wangp = applySettings(
      { ...wanGp, activated_loras: ['style.safetensors', 'other.safetensors'], loras_multipliers: '0.7 1' },
      { ...current, loras: [b] },
      manifest,
      [a, b],
    );
    expect(wangp.request.loras).toEqual([a]);
    expect(wangp.request.lorasMultipliers).toBe('0.7 1');
    expect(wangp.rejected).toEqual([
      'LoRA other.safetensors is not in your LoRA library (import it on the LoRAs page)',
    ]);
    expect(applySettings(wanGp, withLoras, manifest).request.loras).toBeUndefined(); // no LoRAs in the file: the selection is cleared
  });

  it('names values the pack cannot use instead of applying them', () => {
    const r = applySettings(
      {
        type: 'WebGP 0.1.0 - demo-t2v',
        resolution: '832x480',
        sample_solver: 'causvid',
        seed: 'x',
        model_type: 'demo-t2v',
      },
      current,
      manifest,
    );
    expect(r.origin).toBe('WebGP');
    expect(r.request).toEqual(current);
    expect(r.rejected).toEqual([
      'resolution 832x480 is not available for this model',
      'solver "causvid" is not available (WebGP runs: euler, unipc, dpm++)',
      'seed is not a number',
    ]);
    expect(r.otherModel).toBeUndefined();
  });

  it("maps WanGP's solver names (dpm++ is DPM++ 2M) and writes them back the same way", () => {
    expect(applySettings({ sample_solver: 'dpm++' }, current, manifest).request.solver).toBe('dpmpp-2m');
    expect(applySettings({ sample_solver: 'unipc' }, current, manifest).request.solver).toBe('unipc');
    expect(applySettings({ sample_solver: 'dpmpp-2m' }, current, manifest).request.solver).toBe('dpmpp-2m');
    expect(requestParams({ ...current, solver: 'dpmpp-2m' }).sample_solver).toBe('dpm++');
  });
});
