/**
 * The bundled pack.json of real packs (public/models/<id>/pack.json): runnable ones list only
 * files the registry knows, with the same sizes, and the generated test packs mirror their
 * contract (tensor names, roles, layouts, slots) so the pipelines tested on the test packs are the
 * ones the real packs run. Header-only packs stay recognisable as such.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComponentSpec } from '../../src/engine/pack/components';
import { type PackManifest, parseManifestText } from '../../src/engine/pack/manifest';
import { parsePackHeader } from '../../src/engine/pack/header';
import { manifestFiles } from '../../src/engine/pack/pack-files';
import { parseRegistry } from '../../src/engine/pack/registry';
import { folderReader } from '../../src/cli/pack-folder';
import { checkPackGraphs } from '../../src/engine/pack/verify-graphs';
import { realContract } from '../helpers/real-contract';
import { packDir, readManifest } from '../helpers/test-packs';
import PINNED from '../helpers/real-contracts.json';

const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models');
const registry = parseRegistry(JSON.parse(readFileSync(join(MODELS, 'registry.json'), 'utf8')));
const bundledText = (id: string) => readFileSync(join(MODELS, id, 'pack.json'), 'utf8');
const realManifest = (id: string) => parseManifestText(bundledText(id), `${id}/pack.json`);

/** Which test pack carries which real pack's contract. */
const MIRRORS = [
  { test: 'test-zimage', real: 'z-image-turbo' },
  { test: 'test-fastwan', real: 'fastwan2.2-ti2v-5b' },
  { test: 'test-fastwan-81', real: 'fastwan2.2-ti2v-5b' },
];
const RUNNABLE_REAL = ['z-image-turbo', 'fastwan2.2-ti2v-5b'];
const HEADER_ONLY_REAL = ['sd-turbo', 'sdxl-turbo'];

/** Fields that differ between a real pack and its tiny mirror without changing the contract. */
const NOT_CONTRACT = new Set(['file', 'bytes', 'sha256', 'externalData', 'dtype', 'compute', 'stages', 'freeDimensions', 'resident', 'latentScale', 'latentShift', 'embedding']);

/** Per-channel VAE tables differ in values (random test tables) but not in meaning. */
function tableKind(t: unknown): string | undefined {
  if (!Array.isArray(t)) return undefined;
  return t.length > 1 ? 'per-channel' : 'one value';
}

/** A component's contract: everything but file names, sizes, hashes, dtypes, table values and repeat counts. */
function contract(c: ComponentSpec | undefined): unknown {
  if (!c) return undefined;
  const fields = c as ComponentSpec & Record<string, unknown>;
  const named = Object.fromEntries(Object.entries(fields).filter(([k]) => !NOT_CONTRACT.has(k)));
  // One entry per distinct stage kind: a repeated stage's copies share feeds and emits.
  const kinds = c.stages?.filter((s, i, all) => i === 0 || JSON.stringify([s.feeds, s.emits]) !== JSON.stringify([all[i - 1]?.feeds, all[i - 1]?.emits]));
  return {
    ...named,
    externalData: c.externalData.length > 0,
    stages: kinds?.map((s) => ({ feeds: s.feeds, emits: s.emits, externalData: s.externalData.length > 0 })),
    tables: [tableKind(fields.latentScale), tableKind(fields.latentShift)],
    embedding: (fields.embedding as { format: string } | undefined)?.format,
  };
}

function tokenizerContract(m: PackManifest) {
  const { padding, chatTemplate, idsType } = m.tokenizer;
  return { padding, chatTemplate, idsType };
}

describe('bundled real pack manifests', () => {
  it.each(RUNNABLE_REAL)('%s is runnable and lists only registry files, with the registry sizes', (id) => {
    const m = realManifest(id);
    const entry = registry.find((e) => e.id === id);
    expect(entry?.source?.url).toMatch(/^https:\/\//);
    const known = new Map((entry?.files ?? []).map((f) => [f.path, f]));
    const files = manifestFiles(m);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const listed = known.get(f.path);
      expect(listed, `${f.path} is not in the registry entry`).toBeDefined();
      if (f.bytes !== undefined && listed?.bytes !== undefined && !listed.approx) expect(f.bytes, f.path).toBe(listed.bytes);
    }
  });

  it('FastWan expands to 24 text layers and shell_pre + 30 blocks + shell_post, each block with its .onnx.data', () => {
    const m = realManifest('fastwan2.2-ti2v-5b');
    expect(m.components.textEncoder.stages).toHaveLength(25);
    const dit = m.components.transformer.stages ?? [];
    expect(dit.map((s) => s.file)).toEqual([
      'onnx/transformer-480/shell_pre.onnx',
      ...Array.from({ length: 30 }, (_, i) => `onnx/transformer-q4f16-480/block_${String(i).padStart(2, '0')}.onnx`),
      'onnx/transformer-q4f16-480/shell_post.onnx',
    ]);
    expect(dit[30]?.externalData).toEqual([{ path: 'block_29.onnx.data', file: 'onnx/transformer-q4f16-480/block_29.onnx.data' }]);
    expect(m.components.vaeDecoder.latentScale).toHaveLength(48);
  });

  it('Z-Image computes in fp16 behind float32 boundaries, so it still needs shader-f16', () => {
    const m = realManifest('z-image-turbo');
    expect(m.components.transformer.dtype).toBe('float32');
    expect(m.components.transformer.compute).toBe('float16');
  });

  it.each(HEADER_ONLY_REAL)('%s is header-only: described, not runnable', (id) => {
    expect(parsePackHeader(JSON.parse(bundledText(id)) as unknown).id).toBe(id);
    expect(() => realManifest(id)).toThrow(/components/);
  });

  it.each(MIRRORS)('$test mirrors the contract of $real', ({ test, real }) => {
    const t = readManifest(test);
    const r = realManifest(real);
    expect(t.pipeline).toBe(r.pipeline);
    expect(tokenizerContract(t)).toEqual(tokenizerContract(r));
    expect(t.scheduler).toEqual(r.scheduler);
    expect(Object.keys(t.components).sort()).toEqual(Object.keys(r.components).sort());
    for (const name of Object.keys(r.components) as (keyof PackManifest['components'])[]) {
      expect(contract(t.components[name]), name).toEqual(contract(r.components[name]));
    }
  });

  it.each(Object.keys(PINNED))('%s keeps its pinned contract: tensor names, dtypes, layouts, fixed values and limits', (id) => {
    expect(realContract(realManifest(id)), `${id}: update tests/helpers/real-contracts.json only with a cited source`).toEqual(PINNED[id as keyof typeof PINNED]);
  });

  it("FastWan declares the frame limit its mirror's fixed-shape VAE decoder imposes (81 frames from 21 latent frames)", async () => {
    const mirror = await checkPackGraphs(readManifest('test-fastwan-81'), folderReader(packDir('test-fastwan-81')));
    expect(mirror.problems).toEqual([]);
    const real = realManifest('fastwan2.2-ti2v-5b').limits;
    expect(mirror.limits.frames?.counts).toEqual(real.frames);
    expect(mirror.limits.frames?.reason).toContain('is exported for 21 latent frames');
    expect(real.reasons?.frames).toContain('is exported for 21 latent frames');
    // The mirror's pack.json itself leaves the limit out: install derives it.
    expect(readManifest('test-fastwan-81').limits.frames).toBeUndefined();
    const vae = mirror.graphs.get('onnx/vae_decoder-64.onnx')?.inputs[0];
    expect(vae).toEqual({ name: 'latents', type: 'float32', dims: [1, 21, 48, 4, 4] });
  });
});
