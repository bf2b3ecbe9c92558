/** Install-time graph check (src/engine/pack/verify-graphs.ts): external-data files named by graph and path; locations resolved beside the graph. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { parseManifest } from '../../src/engine/pack/manifest';
import { type PackFileReader, resolveBeside, verifyGraphs } from '../../src/engine/pack/verify-graphs';
import { rejection } from '../helpers/errors';
import { PACKS_DIR } from '../helpers/ort-node';

const DEMO = join(PACKS_DIR, 'demo-t2v');

/** demo-t2v's files with the VAE decoder replaced by one whose weights are external ("vae_decoder.onnx_data"). */
function reader(withData: boolean): PackFileReader {
  const g = new GraphBuilder('vae');
  const x = g.input('latent_sample', 'float32', [1, 4, 'T', 'h', 'w']);
  const w = g.externalInitializer('w', 'float32', [1], {
    location: 'vae_decoder.onnx_data',
    offset: 0,
    length: 4,
  });
  g.op('Mul', [x, w], {}, 'sample');
  g.output('sample', 'float32', [1, 'T', 3, 'h', 'w']);
  const files: Record<string, Uint8Array> = {
    'vae_decoder.onnx': g.toModel(),
    ...(withData ? { 'vae_decoder.onnx_data': new Uint8Array(4) } : {}),
  };
  const bytes = (p: string) => files[p] ?? new Uint8Array(readFileSync(join(DEMO, p)));
  return {
    size: async (p) =>
      files[p]
        ? files[p].byteLength
        : ['text_encoder.onnx', 'transformer.onnx'].includes(p)
          ? bytes(p).byteLength
          : undefined,
    read: async (p, o, l) => bytes(p).subarray(o, o + l),
  };
}

describe('verifyGraphs: external data', () => {
  const manifest = (listed: boolean) => {
    const raw = JSON.parse(readFileSync(join(DEMO, 'pack.json'), 'utf8')) as {
      components: { vaeDecoder: Record<string, unknown> };
    };
    raw.components.vaeDecoder = {
      ...raw.components.vaeDecoder,
      bytes: undefined,
      sha256: undefined,
      externalData: listed ? [{ path: 'vae_decoder.onnx_data' }] : [],
    };
    return parseManifest(raw);
  };

  it('passes a graph whose external data pack.json lists and the pack holds', async () => {
    await expect(verifyGraphs(manifest(true), reader(true))).resolves.toEqual({});
  });

  it('names external data the graph references but pack.json does not list', async () => {
    const err = await rejection(verifyGraphs(manifest(false), reader(true)));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain(
      'vae_decoder.onnx needs external data "vae_decoder.onnx_data", which the pack does not list',
    );
  });

  it('names an external-data file the pack lacks, resolved beside the graph', async () => {
    const err = await rejection(verifyGraphs(manifest(true), reader(false)));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain(
      'vae_decoder.onnx needs external data file vae_decoder.onnx_data, which the pack does not contain',
    );
  });
});

describe('resolveBeside', () => {
  it('resolves external-data locations relative to the graph folder', () => {
    expect(resolveBeside('x.onnx', 'x.onnx_data')).toBe('x.onnx_data');
    expect(resolveBeside('onnx/a/x.onnx', './x.data')).toBe('onnx/a/x.data');
    expect(resolveBeside('onnx/a/x.onnx', '../shared/w.bin')).toBe('onnx/shared/w.bin');
    expect(resolveBeside('x.onnx', '../w.bin')).toBeUndefined();
  });
});
