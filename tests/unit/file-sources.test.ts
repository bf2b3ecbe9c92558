/** Per-file sources in pack.json (src/engine/pack/components.ts): any file entry may name its own
 * absolute `url` (https, or http on the local machine), must then pin bytes and sha256, and the url
 * reaches manifestFiles (what the downloader fetches). Built on the generated test-fastwan pack. */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { parseManifest } from '../../src/engine/pack/manifest';
import { manifestFiles } from '../../src/engine/pack/pack-files';
import { thrown } from '../helpers/errors';
import { readPackFile } from '../helpers/test-packs';

type Obj = Record<string, unknown>;
const raw = () => JSON.parse(new TextDecoder().decode(readPackFile('test-fastwan', 'pack.json'))) as Obj;
const comps = (m: Obj) => m.components as Record<string, Obj>;
const textEncoder = (m: Obj) => comps(m).textEncoder as Obj;
const sha = (c: string) => c.repeat(64);
const TOKENIZER_URL = 'https://huggingface.co/Wan-AI/x/resolve/main/tokenizer/tokenizer.json';

/** The field errors parseManifest reports for `m`. */
const fieldErrors = (m: Obj) => {
  const err = thrown(() => parseManifest(m));
  expect(err).toBeInstanceOf(EngineError);
  expect(err.code).toBe('invalid-manifest');
  return err.fields ?? {};
};

describe('a file entry with its own url', () => {
  it('reaches manifestFiles for the tokenizer, the embedding table and its scales, a graph and its external data', () => {
    const m = raw();
    (m.tokenizer as Obj).url = TOKENIZER_URL;
    const table = textEncoder(m).embedding as Obj;
    table.url = 'https://cdn.example.org/embedding_q8.bin';
    table.scalesUrl = 'http://127.0.0.1:8123/embedding_scales.bin';
    Object.assign(comps(m).vaeDecoder as Obj, {
      url: 'http://localhost:9000/vae.onnx',
      bytes: 10,
      sha256: sha('e'),
    });
    const [layers] = textEncoder(m).stages as [Obj];
    layers.externalData = [
      {
        path: 'layer_{i:2}.onnx.data',
        url: 'http://[::1]:81/layer_{i:2}.data',
        bytes: [5, 6],
        sha256: [sha('a'), sha('b')],
      },
    ];
    const files = Object.fromEntries(manifestFiles(parseManifest(m)).map((f) => [f.path, f]));
    expect(files['tokenizer/tokenizer.json']).toEqual({
      path: 'tokenizer/tokenizer.json',
      bytes: readPackFile('test-fastwan', 'tokenizer/tokenizer.json').byteLength,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      url: TOKENIZER_URL,
    });
    expect(files['onnx/text-encoder-q4f16/embedding_q8.bin']?.url).toBe(
      'https://cdn.example.org/embedding_q8.bin',
    );
    expect(files['onnx/text-encoder-q4f16/embedding_scales.bin']?.url).toBe(
      'http://127.0.0.1:8123/embedding_scales.bin',
    );
    expect(files['onnx/vae_decoder-64.onnx']).toEqual({
      path: 'onnx/vae_decoder-64.onnx',
      bytes: 10,
      sha256: sha('e'),
      url: 'http://localhost:9000/vae.onnx',
    });
    // A url string in a repeated stage has its {i} expanded per copy.
    expect([
      files['onnx/text-encoder-q4f16/layer_00.onnx.data'],
      files['onnx/text-encoder-q4f16/layer_01.onnx.data'],
    ]).toEqual([
      {
        path: 'onnx/text-encoder-q4f16/layer_00.onnx.data',
        bytes: 5,
        sha256: sha('a'),
        url: 'http://[::1]:81/layer_00.data',
      },
      {
        path: 'onnx/text-encoder-q4f16/layer_01.onnx.data',
        bytes: 6,
        sha256: sha('b'),
        url: 'http://[::1]:81/layer_01.data',
      },
    ]);
    // Files without a url carry none: they come from the pack folder.
    expect(files['onnx/text-encoder-q4f16/shell_post.onnx']).toBeDefined();
    expect(files['onnx/text-encoder-q4f16/shell_post.onnx']?.url).toBeUndefined();
  });

  it('must pin bytes and sha256, naming the field and what is missing', () => {
    const m = raw();
    const tokenizer = m.tokenizer as Obj;
    tokenizer.url = TOKENIZER_URL;
    delete tokenizer.sha256;
    const table = textEncoder(m).embedding as Obj;
    table.scalesUrl = 'https://cdn.example.org/scales.bin';
    delete table.scalesBytes;
    delete table.scalesSha256;
    const vae = comps(m).vaeDecoder as Obj;
    vae.url = 'https://cdn.example.org/vae.onnx';
    delete vae.bytes;
    delete vae.sha256;
    expect(fieldErrors(m)).toEqual({
      'tokenizer.url': 'a file downloaded from its own url must pin bytes and sha256 (add sha256)',
      'components.textEncoder.embedding.scalesUrl':
        'a file downloaded from its own url must pin bytes and sha256 (add scalesBytes and scalesSha256)',
      'components.vaeDecoder.url':
        'a file downloaded from its own url must pin bytes and sha256 (add bytes and sha256)',
    });
  });

  it('accepts https anywhere and http only on the local machine; anything else is a field error', () => {
    const bad = [
      'http://example.org/t.json',
      'ftp://127.0.0.1/t.json',
      'tokenizer/tokenizer.json',
      '//cdn.example.org/t.json',
      'https://user:pw@example.org/t.json',
      'file:///etc/passwd',
    ];
    for (const url of bad) {
      const m = raw();
      (m.tokenizer as Obj).url = url;
      expect(fieldErrors(m), url).toEqual({
        'tokenizer.url': `"${url}" is not an absolute https: URL (http: is only allowed for localhost, 127.0.0.1 and [::1])`,
      });
    }
    for (const url of [
      'https://example.org/t.json',
      'http://localhost:4202/t.json',
      'http://127.0.0.1/t.json',
      'http://[::1]:9/t.json',
    ]) {
      const m = raw();
      (m.tokenizer as Obj).url = url;
      expect(parseManifest(m).tokenizer.url, url).toBe(url);
    }
    const empty = raw();
    (empty.tokenizer as Obj).url = '';
    expect(fieldErrors(empty)['tokenizer.url']).toBe('expected a non-empty string');
  });

  it('in a repeated stage may be a list with one url per copy', () => {
    const m = raw();
    const [layers] = textEncoder(m).stages as [Obj];
    Object.assign(layers, {
      url: ['https://a.example/0.onnx', 'https://a.example/1.onnx'],
      bytes: [1, 2],
      sha256: [sha('a'), sha('b')],
    });
    const stages = parseManifest(m).components.textEncoder.stages ?? [];
    expect(stages.slice(0, 2).map((s) => [s.file, s.url])).toEqual([
      ['onnx/text-encoder-q4f16/layer_00.onnx', 'https://a.example/0.onnx'],
      ['onnx/text-encoder-q4f16/layer_01.onnx', 'https://a.example/1.onnx'],
    ]);
    layers.url = ['https://a.example/0.onnx'];
    expect(fieldErrors(m)).toEqual({
      'components.textEncoder.stages[0].url': 'expected 2 entries (one per repeat), got 1',
    });
  });
});
