/** The settings record embedded in outputs (src/engine/settings.ts): WanGP key names and values. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/engine/pack/manifest';
import { defaultRequest } from '../../src/engine/request';
import { outputSettings } from '../../src/engine/settings';
import { PACKS_DIR } from '../helpers/ort-node';

const manifest = parseManifestText(readFileSync(join(PACKS_DIR, 'demo-t2v', 'pack.json'), 'utf8'));

describe('outputSettings', () => {
  it('uses WanGP key names and the WebGP type string', () => {
    const request = {
      ...defaultRequest(manifest, 'a red ball'),
      negativePrompt: 'blurry',
      seed: 7,
      steps: 12,
      frames: 9,
      resolution: '320x192',
      shift: 5,
      guidance: 2.5,
    };
    const createdAt = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
    const s = outputSettings(request, manifest, { backend: 'wasm', generationSeconds: 1.23456, createdAt });
    expect(s).toEqual({
      type: 'WebGP 0.1.0 - demo-t2v',
      settings_version: 1,
      prompt: 'a red ball',
      negative_prompt: 'blurry',
      seed: 7,
      num_inference_steps: 12,
      video_length: 9,
      resolution: '320x192',
      sample_solver: 'euler',
      flow_shift: 5,
      guidance_scale: 2.5,
      guidance_phases: 1,
      model_type: 'demo-t2v',
      pack_version: '1.0.0',
      fps: 16,
      backend: 'wasm',
      generation_time: 1.23,
      creation_date: '2025-01-02T03:04:05.000Z',
    });
  });
});
