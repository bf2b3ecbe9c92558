/** pack.json validation (src/engine/pack/manifest.ts): the generated pack parses, and every bad
 * field is reported by path, several per pass, as EngineError('invalid-manifest'). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { parseManifest, parseManifestText } from '../../src/engine/pack/manifest';
import { parsePackHeader } from '../../src/engine/pack/header';
import { thrown } from '../helpers/errors';
import { PACKS_DIR } from '../helpers/ort-node';

const text = readFileSync(join(PACKS_DIR, 'demo-t2v', 'pack.json'), 'utf8');
type Obj = Record<string, unknown>;

/** The generated demo manifest with fields changed by dotted path (undefined deletes the field). */
function withFields(changes: Obj): Obj {
  const m = JSON.parse(text) as Obj;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    const parent = keys.reduce((o, k) => o[k] as Obj, m);
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return m;
}

function manifestError(value: unknown): EngineError {
  const err = thrown(() => parseManifest(value));
  expect(err).toBeInstanceOf(EngineError);
  return err;
}

describe('parseManifest', () => {
  it('parses the generated demo pack', () => {
    const m = parseManifestText(text);
    expect(m.id).toBe('demo-t2v');
    expect(m.pipeline).toBe('t2v-flow-dit');
    expect(m.components.transformer.file).toBe('transformer.onnx');
    expect(m.components.transformer.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.components.vaeDecoder.outputRange).toEqual([-1, 1]);
    expect(m.latent).toEqual({ channels: 4, temporalCompression: 1, spatialCompression: 8 });
    expect(m.limits.resolutions).toContain(m.defaults.resolution);
  });

  it('names a missing components.transformer.file', () => {
    const err = manifestError(withFields({ 'components.transformer.file': undefined }));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain('components.transformer.file: expected a non-empty string');
    expect(err.fields).toEqual({ 'components.transformer.file': 'expected a non-empty string' });
  });

  it('rejects a wrong schema', () => {
    const err = manifestError(withFields({ schema: 'webgp.pack/2' }));
    expect(err.fields?.schema).toBe('expected "webgp.pack/1"');
  });

  it('lists the allowed values for a bad pipeline, in the message and in fields', () => {
    const err = manifestError(withFields({ pipeline: 'i2v' }));
    expect(err.message).toContain(
      'pipeline: "i2v" is not supported. Should be one of: t2v-flow-dit, i2v-flow-dit, t2i-flow-dit, t2i-eps-unet, segment-points, matting-memory, prompt-llm, image-captioner',
    );
    expect(err.fields?.pipeline).toBe(
      '"i2v" is not supported. Should be one of: t2v-flow-dit, i2v-flow-dit, t2i-flow-dit, t2i-eps-unet, segment-points, matting-memory, prompt-llm, image-captioner',
    );
  });

  it('refuses a video pipeline as a generation pack, and parsePackHeader accepts a header-only pack', () => {
    const err = manifestError(withFields({ pipeline: 'matting-memory' }));
    expect(err.fields?.pipeline).toBe(
      '"matting-memory" is a video-matting pipeline, not a generation one: use it from the Matting page',
    );
    const raw = JSON.parse(readFileSync(join(PACKS_DIR, 'z-image-turbo', 'pack.json'), 'utf8')) as unknown;
    expect(parsePackHeader(raw)).toMatchObject({
      id: 'z-image-turbo',
      pipeline: 't2i-flow-dit',
      scheduler: { spacing: 'flow-diffusers-euler', timestep: { from: 'one-minus-sigma', forceLast: 1 } },
    });
  });

  it('defaults the scheduler to flow-linspace with timestep = σ·timestepScale, and validates a given one by path', () => {
    expect(parsePackHeader(withFields({ scheduler: undefined, timestepScale: 1000 })).scheduler).toEqual({
      spacing: 'flow-linspace',
      trainSteps: 1000,
      timestep: { from: 'sigma', scale: 1000 },
    });
    const err = manifestError(
      withFields({
        scheduler: { spacing: 'karras', trainSteps: 0, timestep: { from: 'sigma', scale: 1, round: 'yes' } },
      }),
    );
    expect(err.fields).toMatchObject({
      'scheduler.spacing':
        '"karras" is not supported. Should be one of: flow-linspace, flow-diffusers-euler, flow-unipc, eps-trailing',
      'scheduler.trainSteps': 'must be at least 1',
      'scheduler.timestep.round': 'expected true or false',
    });
  });

  it('turns non-JSON text into invalid-manifest naming the source', () => {
    const err = thrown(() => parseManifestText('{"schema": ', 'pack.json of demo-t2v'));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toMatch(/^Invalid pack\.json of demo-t2v: not valid JSON \(.+\)\.$/);
  });

  it('rejects a malformed sha256', () => {
    expect(
      manifestError(withFields({ 'components.vaeDecoder.sha256': 'ABC123' })).fields?.[
        'components.vaeDecoder.sha256'
      ],
    ).toBe('expected 64 lowercase hex digits');
  });

  it('rejects a default resolution missing from limits.resolutions', () => {
    expect(
      manifestError(withFields({ 'defaults.resolution': '512x512' })).fields?.['defaults.resolution'],
    ).toBe('"512x512" is not in limits.resolutions');
  });

  it.each(['../transformer.onnx', 'sub/../../x.onnx', '/etc/passwd'])(
    'rejects file path %s outside the pack',
    (file) => {
      expect(
        manifestError(withFields({ 'components.textEncoder.file': file })).fields?.[
          'components.textEncoder.file'
        ],
      ).toBe('must be a file name inside the pack');
    },
  );

  it('rejects bad numbers, layouts and ranges by path', () => {
    const f =
      manifestError(
        withFields({
          'tokenizer.maxLength': 1.5,
          'latent.channels': 0,
          'components.vaeDecoder.outputLayout': 'NHWC',
          'components.vaeDecoder.outputRange': [1, -1],
          'limits.resolutions': ['256x256', '256by256'],
        }),
      ).fields ?? {};
    expect(f['tokenizer.maxLength']).toBe('expected an integer');
    expect(f['latent.channels']).toBe('must be at least 1');
    expect(f['components.vaeDecoder.outputLayout']).toBe(
      '"NHWC" is not supported. Should be one of: NTCHW, NCTHW, NCHW',
    );
    expect(f['components.vaeDecoder.outputRange']).toBe('expected [low, high] with low < high');
    expect(f['limits.resolutions[1]']).toBe('expected "WIDTHxHEIGHT", e.g. "256x256"');
  });

  it('reports several errors in one pass', () => {
    const err = manifestError(
      withFields({
        schema: 'nope',
        'components.transformer.inputs.timestep': undefined,
        'defaults.steps': 0,
        'limits.maxFrames': 'many',
      }),
    );
    expect(Object.keys(err.fields ?? {}).sort()).toEqual([
      'components.transformer.inputs.timestep',
      'defaults.steps',
      'limits.maxFrames',
      'schema',
    ]);
    expect(err.message.split('; ')).toHaveLength(4);
  });

  it('parses the demo pack preview factors and defaults a missing rgbBias to zero', () => {
    expect(parseManifestText(text).preview?.rgbFactors).toHaveLength(4);
    const m = parseManifest(
      withFields({
        preview: {
          rgbFactors: [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
            [0.25, 0.25, 0.25],
          ],
        },
      }),
    );
    expect(m.preview).toEqual({
      rgbFactors: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0.25, 0.25, 0.25],
      ],
      rgbBias: [0, 0, 0],
    });
  });

  it('accepts a pack without preview', () => {
    expect(parseManifest(withFields({ preview: undefined })).preview).toBeUndefined();
  });

  it('rejects preview.rgbFactors with a row count other than latent.channels', () => {
    const err = manifestError(
      withFields({
        'preview.rgbFactors': [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      }),
    );
    expect(err.message).toContain('preview.rgbFactors: expected 4 rows (latent.channels), got 3');
    expect(err.fields).toEqual({ 'preview.rgbFactors': 'expected 4 rows (latent.channels), got 3' });
  });

  it('rejects bad preview rows, numbers and bias by path', () => {
    const f =
      manifestError(
        withFields({
          'preview.rgbFactors': [[1, 0, 0], [0, 1], [0, 'x', 1], Number.NaN],
          'preview.rgbBias': [0, Infinity, 0],
        }),
      ).fields ?? {};
    expect(f).toEqual({
      'preview.rgbFactors[1]': 'expected [r, g, b], got 2 values',
      'preview.rgbFactors[2][1]': 'expected a number',
      'preview.rgbFactors[3]': 'expected an array',
      'preview.rgbBias[1]': 'expected a number',
    });
    expect(manifestError(withFields({ preview: [] })).fields).toEqual({ preview: 'expected an object' });
    expect(manifestError(withFields({ 'preview.rgbBias': [0, 0] })).fields).toEqual({
      'preview.rgbBias': 'expected [r, g, b], got 2 values',
    });
  });

  it('does not blame preview when latent.channels itself is wrong', () => {
    expect(manifestError(withFields({ 'latent.channels': 'four' })).fields).toEqual({
      'latent.channels': 'expected a number',
    });
  });

  it('rejects a non-object root', () => {
    expect(manifestError([]).fields?.['(root)']).toBe('expected an object');
  });
});
