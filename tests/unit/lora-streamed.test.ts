/**
 * LoRA on a block-streamed transformer (test-fastwan: shell_pre → 3 blocks → shell_post, two
 * sessions resident). Every block names its weights alike (`ffn.fc1.weight`), so targets name
 * their stage `file`: a LoRA on blocks 1 and 2 must change exactly those blocks. The engine's
 * result equals a copy of the pack whose block graphs were generated with W + m·B·Aᵀ baked in.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { errorCode } from '../../src/engine/errors';
import { sha256Hex } from '../../src/engine/hash';
import { parseManifest } from '../../src/engine/pack/manifest';
import { defaultRequest, type TaskRequest } from '../../src/engine/request';
import { eighths } from '../../tools/test-loras/index';
import { encodeSafetensors } from '../../tools/test-loras/safetensors-writer';
import { block } from '../../tools/test-packs/fastwan-dit';
import { CPU_ONLY, diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { copyPack, editManifest } from '../helpers/packs';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

const PACK = 'test-fastwan';
const DIT = 'onnx/transformer-q4f16-64/';
const [IN, OUT, RANK] = [32, 64, 2];
const MULTIPLIER = 0.75;
/** The modules the LoRA changes: fc1 of blocks 1 and 2 (block 0 has the same initializer name). */
const BLOCKS = [1, 2];
const pairs = BLOCKS.map((b) => ({
  block: b,
  module: `blocks.${b}.ffn.fc1`,
  up: eighths(OUT, RANK, 40 + b),
  down: eighths(RANK, IN, 50 + b),
}));
const loraBytes = encodeSafetensors(
  pairs.flatMap((p) => [
    { name: `diffusion_model.${p.module}.lora_A.weight`, dtype: 'F32', shape: [RANK, IN], data: p.down },
    { name: `diffusion_model.${p.module}.lora_B.weight`, dtype: 'F32', shape: [OUT, RANK], data: p.up },
  ]),
);
const stageFile = (b: number) => `${DIT}block_${String(b).padStart(2, '0')}.onnx`;

async function packCopy(edit: (m: Record<string, unknown>) => void): Promise<string> {
  const dir = await copyPack(PACK, TEST_PACKS_DIR);
  await editManifest(dir, PACK, edit);
  return dir;
}

const transformerOf = (m: Record<string, unknown>) =>
  (m.components as Record<string, Record<string, unknown>>).transformer as Record<string, unknown>;

function withLoraTargets(m: Record<string, unknown>, file = stageFile): void {
  transformerOf(m).lora = {
    family: 'webgp-test-fastwan',
    targets: Object.fromEntries(
      pairs.map((p) => [p.module, { initializer: 'ffn.fc1.weight', layout: 'in-out', file: file(p.block) }]),
    ),
  };
}

/** fc1 [in, out] + m·(B·A)ᵀ, computed here independently of src/engine/lora. */
function bake(p: (typeof pairs)[number]) {
  return (name: string, w: Float32Array) => {
    if (name !== 'ffn.fc1.weight') return w;
    const out = w.slice();
    for (let i = 0; i < IN; i++) {
      for (let o = 0; o < OUT; o++) {
        let s = 0;
        for (let r = 0; r < RANK; r++) s += p.up[o * RANK + r]! * p.down[r * IN + i]!;
        out[i * OUT + o] = out[i * OUT + o]! + MULTIPLIER * s;
      }
    }
    return out;
  };
}

async function bakedPack(): Promise<string> {
  const dir = await packCopy((m) => {
    // The baked blocks differ from the listed sizes and hashes.
    const blocks = (transformerOf(m).stages as Record<string, unknown>[])[1] as Record<string, unknown>;
    delete blocks.bytes;
    delete blocks.sha256;
    for (const x of blocks.externalData as Record<string, unknown>[]) {
      delete x.bytes;
      delete x.sha256;
    }
  });
  for (const p of pairs) {
    const data = `block_${String(p.block).padStart(2, '0')}.onnx.data`;
    const g = block(p.block, data, bake(p));
    await writeFile(join(dir, PACK, stageFile(p.block)), g.model);
    await writeFile(join(dir, PACK, DIT, data), g.external?.data ?? new Uint8Array());
  }
  return dir;
}

function engineAt(dir: string) {
  return createEngine({
    ort: ortNodeModule,
    sourceFor: async (id) => diskPackSource(id, dir),
    probe: async () => CPU_ONLY,
    readLora: async () => loraBytes,
  });
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i]!)), 0);

describe('LoRA on a block-streamed transformer', () => {
  it('changes exactly the named blocks: equal to the pack with the deltas baked into blocks 1 and 2', async () => {
    const loraDir = await packCopy((m) => withLoraTargets(m));
    const manifest = parseManifest(JSON.parse(await readFile(join(loraDir, PACK, 'pack.json'), 'utf8')));
    expect(manifest.components.transformer.resident).toBe(2);
    const request: TaskRequest = { ...defaultRequest(manifest, 'a red ball on a blue table'), seed: 3 };
    const loras = [{ id: 'streamed', name: 'streamed.safetensors', sha256: await sha256Hex(loraBytes) }];

    const engine = engineAt(loraDir);
    const merged = await engine.generate('lora', { ...request, loras, lorasMultipliers: String(MULTIPLIER) });
    const plain = await engine.generate('plain', request);
    const baked = await engineAt(await bakedPack()).generate('baked', request);

    expect(maxAbsDiff(merged.latent, plain.latent)).toBeGreaterThan(1e-3); // the LoRA matters
    expect(maxAbsDiff(merged.latent, baked.latent)).toBeLessThan(1e-5);
  });

  it('refuses a target whose file is not one of the transformer graphs', async () => {
    const dir = await packCopy((m) => withLoraTargets(m, (b) => `${DIT}block_${b}.onnx`));
    const raw = JSON.parse(await readFile(join(dir, PACK, 'pack.json'), 'utf8')) as unknown;
    let error: unknown;
    try {
      parseManifest(raw);
    } catch (err) {
      error = err;
    }
    expect(errorCode(error)).toBe('invalid-manifest');
    expect((error as Error).message).toContain(
      'components.transformer.lora.targets.blocks.1.ffn.fc1.file: "onnx/transformer-q4f16-64/block_1.onnx" is not a graph of this transformer',
    );
  });
});
