/**
 * Test helpers for the generated real-contract test packs (test-packs/<id>/, tools/test-packs):
 * read a pack, open one of its graphs in onnxruntime-node with its external data, run a
 * block-streamed component's stages by hand through named slots, and small tensor checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ComponentSpec, GraphSpec } from '../../src/engine/pack/components';
import { type PackManifest, parseManifestText } from '../../src/engine/pack/manifest';

export const TEST_PACKS_DIR = join(import.meta.dirname, '..', '..', 'test-packs');

export function packDir(id: string): string {
  return join(TEST_PACKS_DIR, id);
}

export function readManifest(id: string): PackManifest {
  return parseManifestText(readFileSync(join(packDir(id), 'pack.json'), 'utf8'), `${id}/pack.json`);
}

export function readPackFile(id: string, path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(packDir(id), path)));
}

/** Every file under the pack folder, as pack-relative paths with '/' separators. */
export function filesOnDisk(id: string): string[] {
  const root = packDir(id);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? walk(join(dir, d.name)) : [relative(root, join(dir, d.name)).split('\\').join('/')],
    );
  return walk(root).sort();
}

/** An onnxruntime-node session of one graph of the pack, its external data passed as `{path, data}`. */
export function openGraph(id: string, g: GraphSpec): Promise<ort.InferenceSession> {
  const externalData = g.externalData.map((x) => ({ path: x.path, data: readPackFile(id, x.file) }));
  // Fatal-only logging: expected failures (a wrong ppf) still reject, without ORT's stderr line.
  return ort.InferenceSession.create(readPackFile(id, g.file), {
    executionProviders: ['cpu'],
    externalData,
    logSeverityLevel: 4,
  });
}

/** Runs one graph once and releases it. */
export async function runGraph(
  id: string,
  g: GraphSpec,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  const session = await openGraph(id, g);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/**
 * Runs a block-streamed component as its manifest says: `constants` (int64 0-d from a slot's
 * shape) are added first, each stage reads its inputs from slots through `feeds` and writes its
 * outputs through `emits`. Returns the slots after the last stage.
 */
export async function runStages(
  id: string,
  c: ComponentSpec,
  initial: Record<string, ort.Tensor>,
): Promise<Map<string, ort.Tensor>> {
  const slots = new Map(Object.entries(initial));
  for (const [name, k] of Object.entries(c.constants ?? {})) {
    const dims = slots.get(k.slot)?.dims;
    if (!dims) throw new Error(`constant ${name}: no slot ${k.slot}`);
    slots.set(
      name,
      new ort.Tensor('int64', BigInt64Array.of(BigInt((dims[k.axis] as number) / k.divide)), []),
    );
  }
  for (const stage of c.stages ?? []) {
    const session = await openGraph(id, stage);
    try {
      const feeds = Object.fromEntries(
        session.inputNames.map((n) => {
          const t = slots.get(stage.feeds[n] ?? n);
          if (!t) throw new Error(`${stage.file}: slot ${stage.feeds[n] ?? n} is empty`);
          return [n, t];
        }),
      );
      const out = await session.run(feeds);
      for (const n of session.outputNames) slots.set(stage.emits[n] ?? n, out[n] as ort.Tensor);
    } finally {
      await session.release();
    }
  }
  return slots;
}

export const f32 = (data: Float32Array | number[], dims: number[]) =>
  new ort.Tensor('float32', Float32Array.from(data), dims);

/** Floats of a float32 tensor. */
export function values(t: ort.Tensor | undefined): Float32Array {
  if (!t || t.type !== 'float32') throw new Error(`expected a float32 tensor, got ${t?.type}`);
  return t.data as Float32Array;
}

/** min, max and standard deviation of a list of numbers. */
export function stats(v: ArrayLike<number>): { min: number; max: number; std: number; finite: boolean } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sq = 0;
  let finite = true;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    finite &&= Number.isFinite(x);
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
    sq += x * x;
  }
  const mean = sum / v.length;
  return { min, max, std: Math.sqrt(Math.max(0, sq / v.length - mean * mean)), finite };
}
