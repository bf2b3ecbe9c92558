/** Request validation against a pack's limits (src/engine/request.ts): per-field messages,
 * assertValidRequest's named error, and the latent shape. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { parseManifestText } from '../../src/engine/pack/manifest';
import {
  assertValidRequest,
  defaultRequest,
  latentShape,
  MAX_SEED,
  type TaskRequest,
  validateRequest,
} from '../../src/engine/request';
import { thrown } from '../helpers/errors';
import { PACKS_DIR } from '../helpers/ort-node';

const manifest = parseManifestText(readFileSync(join(PACKS_DIR, 'demo-t2v', 'pack.json'), 'utf8'));
const valid = defaultRequest(manifest, 'a red ball');
const errorsFor = (patch: Partial<TaskRequest>) => validateRequest({ ...valid, ...patch }, manifest);

describe('validateRequest', () => {
  it('accepts the default request with a prompt', () => {
    expect(validateRequest(valid, manifest)).toEqual({});
    expect(valid).toMatchObject({
      packId: 'demo-t2v',
      steps: 8,
      frames: 17,
      resolution: '256x256',
      shift: 3,
      guidance: 1,
    });
  });

  it('checks the LoRA selection and its WanGP multipliers', () => {
    const a = { id: 'a'.repeat(64), name: 'a.safetensors', sha256: 'a'.repeat(64) };
    const b = { id: 'b'.repeat(64), name: 'b.safetensors', sha256: 'b'.repeat(64) };
    expect(errorsFor({ loras: [a, b], lorasMultipliers: '1 0.5,0' })).toEqual({});
    expect(errorsFor({ loras: [a], lorasMultipliers: '1 1' }).loras).toBe(
      'The LoRA multipliers give 2 values but 1 LoRA is selected: remove the extra ones.',
    );
    expect(errorsFor({ loras: [a], lorasMultipliers: '0.5,x' }).loras).toBe(
      '"x" at position 5 is not a number.',
    );
    expect(errorsFor({ loras: [a], lorasMultipliers: '1;0' }).loras).toBe(
      'LoRA 1 has 2 phases (separated by ;) but this task has 1 guidance phase.',
    );
    expect(errorsFor({ loras: [a], lorasMultipliers: '1;0', guidance2: 1, switchThreshold: 875 })).toEqual(
      {},
    );
    expect(errorsFor({ loras: [a, a] }).loras).toBe('A LoRA is selected twice.');
    expect(errorsFor({ lorasMultipliers: '1' }).loras).toBe(
      'LoRA multipliers are set but no LoRA is selected.',
    );
  });

  it.each(['', '   \n\t'])('rejects the empty prompt %j', (prompt) => {
    expect(errorsFor({ prompt })).toEqual({ prompt: 'Enter a prompt: describe what the video should show.' });
  });

  it('rejects a prompt over 2000 characters', () => {
    expect(errorsFor({ prompt: 'a'.repeat(2001) }).prompt).toBe(
      'The prompt is too long (2001 characters; at most 2000).',
    );
  });

  it.each([0, 51, 2.5])('rejects steps %s (limit 50)', (steps) => {
    expect(errorsFor({ steps })).toEqual({ steps: 'Steps must be a whole number from 1 to 50.' });
  });

  it.each([0, 50])('rejects frames %s (limit 49)', (frames) => {
    expect(errorsFor({ frames }).frames).toBe('Frames must be a whole number from 1 to 49 for this model.');
  });

  it('rejects frames that are not n·temporalCompression + 1', () => {
    const m4 = { ...manifest, latent: { ...manifest.latent, temporalCompression: 4 } };
    expect(validateRequest({ ...valid, frames: 9 }, m4)).toEqual({});
    expect(validateRequest({ ...valid, frames: 8 }, m4).frames).toBe(
      'Frames must be 4·n + 1 for this model (e.g. 5, 9).',
    );
  });

  it('rejects a resolution outside the pack list and lists the allowed ones', () => {
    expect(errorsFor({ resolution: '512x512' }).resolution).toBe(
      'Resolution must be one of: 128x128, 256x256, 320x192, 192x320.',
    );
  });

  it.each([-1, 1.5, Number.NaN, MAX_SEED + 1])('rejects seed %s', (seed) => {
    expect(errorsFor({ seed }).seed).toBe(`Seed must be a whole number from 0 to ${MAX_SEED}.`);
  });

  it('accepts the seed bounds 0 and 2^32 − 1', () => {
    expect(errorsFor({ seed: 0 })).toEqual({});
    expect(errorsFor({ seed: MAX_SEED })).toEqual({});
  });

  it.each([0, -1, 101, Number.POSITIVE_INFINITY])('rejects shift %s', (shift) => {
    expect(errorsFor({ shift }).shift).toBe('Shift must be a number above 0 and at most 100.');
  });

  it.each([-0.5, 50.5, Number.NaN])('rejects guidance %s', (guidance) => {
    expect(errorsFor({ guidance }).guidance).toBe('Guidance must be a number from 0 to 50.');
  });

  it('rejects a request for another pack and an unknown solver', () => {
    const e = errorsFor({ packId: 'other', solver: 'dpm++' as TaskRequest['solver'] });
    expect(e.packId).toBe('This request is for pack "other", but "demo-t2v" is loaded.');
    expect(e.solver).toBe('Solver must be one of: euler, unipc, dpmpp-2m.');
  });
});

describe('assertValidRequest', () => {
  it('throws invalid-request carrying every field message', () => {
    const e = thrown(() => assertValidRequest({ ...valid, prompt: ' ', steps: 0 }, manifest));
    expect(e).toBeInstanceOf(EngineError);
    expect(e.code).toBe('invalid-request');
    expect(Object.keys(e.fields ?? {}).sort()).toEqual(['prompt', 'steps']);
    expect(e.message).toContain('steps: Steps must be a whole number from 1 to 50.');
  });
});

describe('latentShape', () => {
  it('is [1, C, T, H/8, W/8]', () => {
    expect(latentShape({ ...valid, resolution: '128x128', frames: 9 }, manifest)).toEqual([1, 4, 9, 16, 16]);
    expect(latentShape({ ...valid, resolution: '320x192', frames: 1 }, manifest)).toEqual([1, 4, 1, 24, 40]);
  });

  it('rejects a malformed resolution string', () => {
    const e = thrown(() => latentShape({ ...valid, resolution: 'big' }, manifest));
    expect([e.code, e.message]).toEqual(['invalid-request', 'Resolution "big" is not WIDTHxHEIGHT.']);
  });
});

describe('optional limits: allowed frame counts, a lowest step count, a locked shift', () => {
  const raw = JSON.parse(readFileSync(join(PACKS_DIR, 'demo-t2v', 'pack.json'), 'utf8')) as {
    limits: Record<string, unknown>;
    defaults: Record<string, unknown>;
  };
  const limited = (limits: Record<string, unknown>, defaults: Record<string, unknown> = {}) =>
    parseManifestText(
      JSON.stringify({
        ...raw,
        limits: { ...raw.limits, ...limits },
        defaults: { ...raw.defaults, ...defaults },
      }),
    );

  it('names the valid frame counts and the reason', () => {
    const m = limited({
      frames: [17],
      reasons: { frames: 'its VAE decoder (vae.onnx) is exported for 17 latent frames' },
    });
    expect(validateRequest({ ...valid, frames: 9 }, m).frames).toBe(
      'Frames must be 17 for this model (its VAE decoder (vae.onnx) is exported for 17 latent frames).',
    );
    expect(validateRequest({ ...valid, frames: 17 }, m).frames).toBeUndefined();
    expect(
      validateRequest({ ...valid, frames: 9 }, limited({ frames: [5, 9, 17] }, { frames: 9 })).frames,
    ).toBeUndefined();
    expect(
      validateRequest({ ...valid, frames: 13 }, limited({ frames: [5, 9, 17] }, { frames: 9 })).frames,
    ).toBe('Frames must be 5, 9 or 17 for this model.');
  });

  it('minSteps raises the lowest step count; a locked shift accepts only itself', () => {
    const m = limited(
      { minSteps: 3, maxSteps: 9, shift: 3, reasons: { shift: 'its step graph bakes shift 3' } },
      { steps: 8 },
    );
    expect(validateRequest({ ...valid, steps: 2, shift: 3 }, m).steps).toBe(
      'Steps must be a whole number from 3 to 9 for this model.',
    );
    expect(validateRequest({ ...valid, steps: 3, shift: 5 }, m)).toEqual({
      shift: 'Shift is fixed at 3 for this model (its step graph bakes shift 3).',
    });
  });

  it('pack.json whose defaults the limits rule out is invalid, each field named', () => {
    expect(() => limited({ frames: [9] })).toThrow(/defaults\.frames: 17 is not in limits\.frames \(9\)/);
    expect(() => limited({ minSteps: 10 })).toThrow(
      /defaults\.steps: must be at least limits\.minSteps \(10\)/,
    );
    expect(() => limited({ shift: 5 })).toThrow(
      /defaults\.shift: must equal limits\.shift \(5\): the shift is locked/,
    );
    expect(() => limited({ frames: [] })).toThrow(/limits\.frames: must list at least one frame count/);
    expect(() => limited({ reasons: { speed: 'fast' } })).toThrow(/limits\.reasons\.speed: unknown limit/);
  });
});
