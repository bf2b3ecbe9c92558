/**
 * A stored enhancement is keyed on what it was made from (prompt, mode, start image, enhancer):
 * the key changes with any of them and with nothing else (never with the API key), a task and an
 * output keep it, Load settings reads it back, and the stored prompt is reused only under the same key.
 */
import { describe, expect, it } from 'vitest';
import {
  enhancementKey,
  enhancerLabel,
  storedEnhancementFits,
} from '../../src/engine/enhancer/enhancement-key';
import { reusedEnhancedPrompt } from '../../src/engine/enhancer/reuse';
import { applySettings } from '../../src/engine/metadata/settings-file';
import { readManifest } from '../../src/engine/pack/load-pack';
import { applyCommand, applyRunnerEvent, emptyQueue } from '../../src/engine/queue/transitions';
import { defaultRequest, type TaskRequest } from '../../src/engine/request';
import { outputSettings } from '../../src/engine/settings';
import { diskPackSource } from '../helpers/ort-node';

const manifest = await readManifest(diskPackSource('demo-t2v'));
const RED = 'data:image/png;base64,cmVk';
const BLUE = 'data:image/png;base64,Ymx1ZQ==';
const image: TaskRequest = {
  ...defaultRequest(manifest, 'the ball bounces'),
  enhance: 'image',
  startImage: RED,
};
const remote = {
  provider: 'remote',
  url: 'http://127.0.0.1:11434/v1',
  model: 'qwen',
  llmPack: 'qwen2.5-0.5b-instruct',
  captionerPack: 'florence-2-base-ft',
  apiKey: 'sk-secret',
};

describe('enhancementKey', () => {
  it('is the same for the same inputs and changes with the start image, prompt, mode or enhancer', async () => {
    const key = await enhancementKey(image, remote);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const otherKey = { ...remote, apiKey: 'sk-other' };
    expect(await enhancementKey({ ...image }, otherKey)).toBe(key);
    const others = await Promise.all([
      enhancementKey({ ...image, startImage: BLUE }, remote),
      enhancementKey({ ...image, prompt: 'the ball rolls' }, remote),
      enhancementKey({ ...image, enhance: 'text-image' }, remote),
      enhancementKey(image, { ...remote, model: 'llama' }),
      enhancementKey(image, { ...remote, captionerPack: 'test-captioner' }),
      enhancementKey(image, { ...remote, provider: 'local' }),
    ]);
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
    expect(await enhancementKey({ ...image, enhance: 'off' }, remote)).toBeUndefined();
  });

  it('Text mode ignores the start image and the captioner; the label never holds the API key', async () => {
    const text = { ...image, enhance: 'text' as const };
    const key = await enhancementKey(text, remote);
    expect(await enhancementKey({ ...text, startImage: BLUE }, { ...remote, captionerPack: 'x' })).toBe(key);
    expect(enhancerLabel({ ...remote, provider: 'local' }, 'text')).toBe('local:qwen2.5-0.5b-instruct');
    expect(enhancerLabel(remote, 'image')).toBe(
      'remote:qwen@http://127.0.0.1:11434/v1+caption:florence-2-base-ft',
    );
  });

  it('a stored prompt fits only its own key; one stored before keys fits as before', () => {
    expect(storedEnhancementFits('a', 'a')).toBe(true);
    expect(storedEnhancementFits('a', 'b')).toBe(false);
    expect(storedEnhancementFits(undefined, 'b')).toBe(true);
  });
});

describe('the key travels with the enhanced prompt', () => {
  it('a task keeps the key of its enhancement; an edit of the prompt drops both', () => {
    let s = applyCommand(emptyQueue(), { kind: 'add', id: 't', request: image }, 1).state;
    s = applyRunnerEvent(
      s,
      {
        kind: 'start',
        id: 't',
        snapshot: { metadataMode: 'embedded', embedSourceImages: false, namingTemplate: '{prompt}' },
        fromStep: 0,
      },
      2,
    ).state;
    s = applyRunnerEvent(s, { kind: 'enhanced', id: 't', prompt: 'P', key: 'k1' }, 3).state;
    expect(s.tasks[0]).toMatchObject({ enhancedPrompt: 'P', enhancedFor: 'k1' });
    const added = applyCommand(
      emptyQueue(),
      { kind: 'add', id: 'u', request: image, enhancedPrompt: 'P', enhancedFor: 'k1' },
      1,
    ).state;
    expect(added.tasks[0]).toMatchObject({ enhancedPrompt: 'P', enhancedFor: 'k1' });
    const edited = applyCommand(
      added,
      { kind: 'edit', id: 'u', request: { ...image, prompt: 'new' } },
      2,
    ).state;
    expect(edited.tasks[0]?.enhancedPrompt).toBeUndefined();
    expect(edited.tasks[0]?.enhancedFor).toBeUndefined();
  });

  it('the output keeps it as enhanced_prompt_key; Load settings reuses an Image-mode prompt only with a key', () => {
    const settings = outputSettings(image, manifest, {
      backend: 'wasm',
      generationSeconds: 1,
      createdAt: new Date(0),
      enhancedPrompt: 'P',
      enhancedFor: 'k1',
    }) as unknown as Record<string, unknown>;
    expect(settings.enhanced_prompt_key).toBe('k1');
    const loaded = applySettings(settings, defaultRequest(manifest, 'old'), manifest);
    expect([loaded.enhancedFor, loaded.ignored]).toEqual(['k1', []]);
    const reuse = { prompt: image.prompt, enhance: 'image' as const, enhancedPrompt: 'P' };
    expect(reusedEnhancedPrompt({ ...reuse, key: 'k1' }, image)).toEqual({ prompt: 'P', key: 'k1' });
    expect(reusedEnhancedPrompt(reuse, image)).toBeUndefined();
  });
});
