/** Test helpers for engine runs: requests for the generated packs, engines over ORT-node, and
 * throw-away copies of a pack to corrupt. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import type { PackSource } from '../../src/engine/pack/pack-source';
import type { OrtModule } from '../../src/engine/runtime';
import { CPU_ONLY, diskPackSource, ortNodeModule, PACKS_DIR } from './ort-node';

export { smallRequest } from './requests';

/** An engine on the CPU (onnxruntime-node unless another module is given) reading packs from `source`. */
export function cpuEngine(
  source: (packId: string) => PackSource = (id) => diskPackSource(id),
  ort: OrtModule = ortNodeModule,
) {
  return createEngine({ ort, sourceFor: async (id) => source(id), probe: async () => CPU_ONLY });
}

/**
 * Copies a generated pack (from public/models, or `fromDir` such as test-packs/) into a temp folder
 * removed after the test; returns the folder (pack at `dir/packId`).
 */
export async function copyPack(packId: string, fromDir = PACKS_DIR): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webgp-pack-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await cp(join(fromDir, packId), join(dir, packId), { recursive: true });
  return dir;
}

/** Rewrites pack.json of a copied pack. */
export async function editManifest(
  dir: string,
  packId: string,
  edit: (m: Record<string, unknown>) => void,
): Promise<void> {
  const file = join(dir, packId, 'pack.json');
  const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(m);
  await writeFile(file, JSON.stringify(m));
}
