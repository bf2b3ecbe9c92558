/** List-valued pack.json fields (src/engine/pack/components.ts, manifest.ts): a repeated stage lists one
 * bytes/sha256 per repeat; the tokenizer and embedding-table files carry their own integrity, which
 * manifestFiles hands to the downloader; per-channel latent scale/shift lists are counted against a valid
 * latent.channels only. Built on the generated test-fastwan pack. */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { parseManifest } from '../../src/engine/pack/manifest';
import { manifestFiles } from '../../src/engine/pack/pack-files';
import { thrown } from '../helpers/errors';
import { readPackFile } from '../helpers/test-packs';

type Obj = Record<string, unknown>;
const raw = () => JSON.parse(new TextDecoder().decode(readPackFile('test-fastwan', 'pack.json'))) as Obj;
const textStages = (m: Obj) => ((m.components as Obj).textEncoder as Obj).stages as Obj[];
const sha = (c: string) => c.repeat(64);

describe('per-repeat integrity lists', () => {
  it('give each expanded stage and its external data their own bytes and sha256', () => {
    const m = raw();
    const [layers] = textStages(m) as [Obj];
    layers.bytes = [100, 200];
    layers.sha256 = [sha('a'), sha('b')];
    layers.externalData = [
      { path: 'layer_{i:2}.onnx.data', bytes: [300, 400], sha256: [sha('c'), sha('d')] },
    ];
    const stages = parseManifest(m).components.textEncoder.stages ?? [];
    expect(
      stages
        .slice(0, 2)
        .map((s) => [
          s.file,
          s.bytes,
          s.sha256,
          s.externalData[0]?.file,
          s.externalData[0]?.bytes,
          s.externalData[0]?.sha256,
        ]),
    ).toEqual([
      [
        'onnx/text-encoder-q4f16/layer_00.onnx',
        100,
        sha('a'),
        'onnx/text-encoder-q4f16/layer_00.onnx.data',
        300,
        sha('c'),
      ],
      [
        'onnx/text-encoder-q4f16/layer_01.onnx',
        200,
        sha('b'),
        'onnx/text-encoder-q4f16/layer_01.onnx.data',
        400,
        sha('d'),
      ],
    ]);
  });

  it('must have one entry per repeat, once per field, with each entry checked by index', () => {
    const m = raw();
    const [layers] = textStages(m) as [Obj];
    layers.bytes = [100];
    layers.sha256 = [sha('a'), 'nope'];
    const err = thrown(() => parseManifest(m));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.fields).toMatchObject({
      'components.textEncoder.stages[0].bytes': 'expected 2 entries (one per repeat), got 1',
      'components.textEncoder.stages[0].sha256[1]': 'expected 64 lowercase hex digits',
    });
    expect(Object.keys(err.fields ?? {})).toHaveLength(2);
  });

  it('are refused outside a repeated stage', () => {
    const m = raw();
    (textStages(m)[1] as Obj).bytes = [817];
    expect(thrown(() => parseManifest(m)).fields?.['components.textEncoder.stages[1].bytes']).toBe(
      'a list is only allowed in a repeated stage (one entry per repeat)',
    );
  });
});

describe('tokenizer and embedding-table integrity', () => {
  it('reaches manifestFiles, and is validated like a graph’s', () => {
    const m = parseManifest(raw());
    const files = Object.fromEntries(manifestFiles(m).map((f) => [f.path, f]));
    for (const path of [
      'tokenizer/tokenizer.json',
      'onnx/text-encoder-q4f16/embedding_q8.bin',
      'onnx/text-encoder-q4f16/embedding_scales.bin',
    ]) {
      expect(files[path]?.bytes, path).toBe(readPackFile('test-fastwan', path).byteLength);
      expect(files[path]?.sha256, path).toMatch(/^[0-9a-f]{64}$/);
    }
    const bad = raw();
    (bad.tokenizer as Obj).sha256 = 'x';
    (((bad.components as Obj).textEncoder as Obj).embedding as Obj).scalesBytes = 0;
    expect(thrown(() => parseManifest(bad)).fields).toMatchObject({
      'tokenizer.sha256': 'expected 64 lowercase hex digits',
      'components.textEncoder.embedding.scalesBytes': 'must be at least 1',
    });
  });
});

describe('per-channel latentScale / latentShift', () => {
  it('are counted against latent.channels, and not blamed when latent.channels itself is wrong', () => {
    const m = raw();
    (m.latent as Obj).channels = 16;
    expect(Object.keys(thrown(() => parseManifest(m)).fields ?? {})).toEqual([
      'components.vaeDecoder.latentScale',
      'components.vaeDecoder.latentShift',
    ]);
    (m.latent as Obj).channels = 'many';
    expect(thrown(() => parseManifest(m)).fields).toEqual({ 'latent.channels': 'expected a number' });
  });
});
