/**
 * The onnxruntime-web build as data (src/engine/ort-build.ts): Settings over the pack over the
 * default; pack.json's `ortBuild` validated with a message that lists the builds; the run's
 * settings record the build; the engine reports the build it was given; a block-streamed pack runs on both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { EngineError } from '../../src/engine/errors';
import { chooseOrtBuild, DEFAULT_ORT_BUILD, isOrtBuildPreference } from '../../src/engine/ort-build';
import { parsePackHeader } from '../../src/engine/pack/header';
import { parseManifestText } from '../../src/engine/pack/manifest';
import { defaultRequest } from '../../src/engine/request';
import { outputSettings } from '../../src/engine/settings';
import { thrown } from '../helpers/errors';
import { CPU_ONLY, diskPackSource, ortNodeModule, PACKS_DIR } from '../helpers/ort-node';

const text = readFileSync(join(PACKS_DIR, 'demo-t2v', 'pack.json'), 'utf8');
const TEST_PACKS_DIR = join(import.meta.dirname, '..', '..', 'test-packs');

describe('chooseOrtBuild', () => {
  it('takes Settings first, then the pack, then the default', () => {
    expect(chooseOrtBuild('default', 'webgpu')).toEqual({ build: 'default', reason: 'chosen in Settings' });
    expect(chooseOrtBuild('webgpu', undefined).build).toBe('webgpu');
    expect(chooseOrtBuild('auto', 'webgpu')).toEqual({ build: 'webgpu', reason: 'named by the pack' });
    expect(chooseOrtBuild('auto', undefined)).toEqual({ build: DEFAULT_ORT_BUILD, reason: 'the default' });
  });

  it('knows which values Settings may hold', () => {
    expect(['auto', 'default', 'webgpu'].every(isOrtBuildPreference)).toBe(true);
    expect(['jsep', 'jspi', '', undefined].some(isOrtBuildPreference)).toBe(false);
  });
});

describe('pack.json ortBuild', () => {
  it('is optional and read when present', () => {
    expect(parsePackHeader(JSON.parse(text)).ortBuild).toBeUndefined();
    const m = parseManifestText(JSON.stringify({ ...JSON.parse(text), ortBuild: 'webgpu' }));
    expect(m.ortBuild).toBe('webgpu');
  });

  it('rejects an unknown build by name, listing the builds', () => {
    const err = thrown(() => parsePackHeader({ ...JSON.parse(text), ortBuild: 'jspi' }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain('ortBuild: "jspi" is not supported. Should be one of: default, webgpu');
  });
});

describe('the build a run records', () => {
  const manifest = parseManifestText(text);

  it('is written to the output settings as ort_build', () => {
    const run = { backend: 'webgpu', generationSeconds: 1, createdAt: new Date(0) };
    expect(
      outputSettings(defaultRequest(manifest, 'x'), manifest, { ...run, ortBuild: 'webgpu' }),
    ).toMatchObject({
      backend: 'webgpu',
      ort_build: 'webgpu',
    });
    expect(outputSettings(defaultRequest(manifest, 'x'), manifest, run)).not.toHaveProperty('ort_build');
  });

  it('comes from the engine that ran', async () => {
    const engine = createEngine({
      ort: ortNodeModule,
      ortBuild: 'webgpu',
      sourceFor: async () => diskPackSource('demo-t2v'),
      probe: async () => CPU_ONLY,
    });
    const out = await engine.generate('j', {
      ...defaultRequest(manifest, 'x'),
      steps: 1,
      frames: 1,
      resolution: '128x128',
    });
    expect(out.ortBuild).toBe('webgpu');
  });
});

describe('a block-streamed pack on the native build', () => {
  it('generates (no refusal), through the native build guard, the same frames as on the default build', async () => {
    const manifest = parseManifestText(
      readFileSync(join(TEST_PACKS_DIR, 'test-fastwan', 'pack.json'), 'utf8'),
    );
    const run = (ortBuild: 'default' | 'webgpu') =>
      createEngine({
        ort: ortNodeModule,
        ortBuild,
        sourceFor: async () => diskPackSource('test-fastwan', TEST_PACKS_DIR),
        probe: async () => CPU_ONLY,
      }).generate('j', { ...defaultRequest(manifest, 'x'), steps: 2 });
    const [native, jsep] = [await run('webgpu'), await run('default')];
    expect(native.ortBuild).toBe('webgpu');
    expect(jsep.ortBuild).toBe('default');
    expect(native.frames.rgba).toEqual(jsep.frames.rgba);
  });
});
