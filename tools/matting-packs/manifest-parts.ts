/**
 * Pieces of the generated video packs' pack.json (demo and test packs alike): the header of a
 * generated pack, role → tensor name maps in the MatAnyone2/SAM snake_case spelling, a float32
 * component entry for a written graph, SAM's pixel normalisation and each matting graph's roles.
 */
import type { ComponentSpec } from '../../src/engine/pack/components';
import type { FileInfo } from '../demo-pack/pack-folder';

/** Canonical SAM pixel mean and std (0–255 scale). */
export const SAM_MEAN: [number, number, number] = [123.675, 116.28, 103.53];
export const SAM_STD: [number, number, number] = [58.395, 57.12, 57.375];

export const header = (id: string, name: string, description: string) => ({
  schema: 'webgp.pack/1' as const,
  id,
  version: '1.0.0',
  name,
  description,
  license: 'MIT',
  demo: true,
});

/** Tensor names for roles given in camelCase: the MatAnyone2/SAM snake_case names. */
const snake = (role: string) => role.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const names = (roles: readonly string[], rename: Record<string, string> = {}) =>
  Object.fromEntries(roles.map((r) => [r, rename[r] ?? snake(r)]));

/** A float32 component for the graph written at `file`. */
export function component(
  info: FileInfo,
  file: string,
  inputs: Record<string, string>,
  outputs: Record<string, string>,
): ComponentSpec {
  return { file, ...info, externalData: [], dtype: 'float32', inputs, outputs };
}

const FEATURES = ['f16', 'f8', 'f4', 'f2', 'f1'] as const;

/** Input and output roles of each matting-memory graph, in the order the real export declares them. */
export const MATTING_GRAPH_ROLES = {
  imageKey: {
    stem: 'image_key',
    inputs: ['image'],
    outputs: [...FEATURES, 'pixFeat', 'key', 'shrinkage', 'selection'],
  },
  maskMemory: {
    stem: 'mask_memory',
    inputs: ['image', 'mask', 'sensory', 'pixFeat'],
    outputs: ['mskValue', 'newSensory', 'objMemory'],
  },
  firstFrameRefine: {
    stem: 'first_frame_refine',
    inputs: [...FEATURES, 'pixFeat', 'lastMskValue', 'objMemory', 'sensory', 'lastMask'],
    outputs: ['prob', 'newSensory', 'logits'],
  },
  propagate: {
    stem: 'propagate',
    inputs: [
      ...FEATURES,
      'pixFeat',
      'key',
      'selection',
      'memoryKey',
      'memoryShrinkage',
      'mskValue',
      'objMemory',
      'sensory',
      'lastMask',
      'lastPixFeat',
      'lastPredMask',
      'lastMskValue',
    ],
    outputs: ['prob', 'newSensory', 'logits', 'uncertProb'],
  },
} as const;
