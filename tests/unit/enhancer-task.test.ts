/** The enhancer as part of a task: request validation of the mode, the queue's stored enhanced
 * prompt (kept on retry, dropped when an edit changes prompt or mode), output settings with both
 * prompts under WanGP's keys, and Load settings restoring the mode and reusing the enhanced
 * prompt for a task queued unchanged. */
import { describe, expect, it } from 'vitest';
import { enhanceModeFromCode, WANGP_ENHANCER_CODES } from '../../src/engine/enhancer/provider';
import { reusedEnhancedPrompt } from '../../src/engine/enhancer/reuse';
import { applySettings } from '../../src/engine/metadata/settings-file';
import { readManifest } from '../../src/engine/pack/load-pack';
import {
  applyCommand,
  applyRunnerEvent,
  emptyQueue,
  type QueueState,
} from '../../src/engine/queue/transitions';
import { defaultRequest, type TaskRequest, validateRequest } from '../../src/engine/request';
import { outputSettings, requestParams } from '../../src/engine/settings';
import { diskPackSource } from '../helpers/ort-node';

const manifest = await readManifest(diskPackSource('demo-t2v'));
const base: TaskRequest = { ...defaultRequest(manifest, 'a red ball'), enhance: 'text' };
const SNAP = { metadataMode: 'embedded' as const, embedSourceImages: false, namingTemplate: '{prompt}' };

function runningWithEnhancement(): QueueState {
  let s = applyCommand(emptyQueue(), { kind: 'add', id: 't', request: base }, 1).state;
  s = applyRunnerEvent(s, { kind: 'start', id: 't', snapshot: SNAP, fromStep: 0 }, 2).state;
  return applyRunnerEvent(s, { kind: 'enhanced', id: 't', prompt: 'a red ball, golden light' }, 3).state;
}

describe('enhancer in tasks', () => {
  it('validates the mode and asks for a start image in Image modes', () => {
    expect(validateRequest(base, manifest)).toEqual({});
    expect(validateRequest({ ...base, enhance: 'loud' as never }, manifest).enhance).toBe(
      'Enhance prompt must be one of: off, text, image, text-image.',
    );
    expect(validateRequest({ ...base, enhance: 'image' }, manifest).enhance).toMatch(
      /^Image enhancement captions the start image: choose a start image/,
    );
  });

  it('stores the enhanced prompt on the running task and keeps it through failure and retry', () => {
    let s = runningWithEnhancement();
    expect(s.tasks[0]?.enhancedPrompt).toBe('a red ball, golden light');
    s = applyRunnerEvent(s, { kind: 'failed', id: 't', error: 'x', retryable: true }, 4).state;
    s = applyCommand(s, { kind: 'retry', id: 't' }, 5).state;
    expect(s.tasks[0]).toMatchObject({ status: 'pending', enhancedPrompt: 'a red ball, golden light' });
    // An edit that keeps prompt and mode keeps it; one that changes either drops it.
    const same = applyCommand(s, { kind: 'edit', id: 't', request: { ...base, seed: 9 } }, 6).state;
    expect(same.tasks[0]?.enhancedPrompt).toBe('a red ball, golden light');
    expect(
      applyCommand(s, { kind: 'edit', id: 't', request: { ...base, prompt: 'a blue ball' } }, 6).state
        .tasks[0]?.enhancedPrompt,
    ).toBeUndefined();
    expect(
      applyCommand(s, { kind: 'edit', id: 't', request: { ...base, enhance: 'off' } }, 6).state.tasks[0]
        ?.enhancedPrompt,
    ).toBeUndefined();
  });

  it('ignores an enhanced event for a task that is not running', () => {
    const s = applyCommand(emptyQueue(), { kind: 'add', id: 't', request: base }, 1).state;
    expect(applyRunnerEvent(s, { kind: 'enhanced', id: 't', prompt: 'x' }, 2).changed).toEqual([]);
  });

  it('outputs keep the user prompt, the enhanced prompt and the WanGP mode code', () => {
    const settings = outputSettings(base, manifest, {
      backend: 'wasm',
      generationSeconds: 1,
      createdAt: new Date(0),
      enhancedPrompt: 'a red ball, golden light',
    });
    expect(settings).toMatchObject({
      prompt: 'a red ball',
      enhanced_prompt: 'a red ball, golden light',
      prompt_enhancer: 'T',
    });
    expect(requestParams({ ...base, enhance: 'off' })).not.toHaveProperty('prompt_enhancer');
    expect(Object.values(WANGP_ENHANCER_CODES)).toEqual(['', 'T', 'I', 'TI']);
    expect(enhanceModeFromCode('TI')).toBe('text-image');
  });

  it('Load settings restores the prompt and the mode, and reports a bad mode', () => {
    const settings = outputSettings(base, manifest, {
      backend: 'wasm',
      generationSeconds: 1,
      createdAt: new Date(0),
      enhancedPrompt: 'a red ball, golden light',
    });
    const loaded = applySettings(
      settings as unknown as Record<string, unknown>,
      defaultRequest(manifest, 'old'),
      manifest,
    );
    expect(loaded.request).toMatchObject({ prompt: 'a red ball', enhance: 'text' });
    expect(loaded.ignored).toEqual([]);
    expect(applySettings({ prompt_enhancer: 'X' }, base, manifest).rejected).toEqual([
      'prompt_enhancer "X" is not one of "", T, I, TI',
    ]);
  });

  it('Load settings keeps the original prompt in the form and reuses the enhanced one until the prompt or mode changes', () => {
    const settings = outputSettings(base, manifest, {
      backend: 'wasm',
      generationSeconds: 1,
      createdAt: new Date(0),
      enhancedPrompt: 'a red ball, golden light',
    }) as unknown as Record<string, unknown>;
    const loaded = applySettings(settings, defaultRequest(manifest, 'old'), manifest);
    expect(loaded.request.prompt).toBe('a red ball');
    expect(loaded.enhancedPrompt).toBe('a red ball, golden light');
    const reuse = {
      prompt: 'a red ball',
      enhance: 'text' as const,
      enhancedPrompt: 'a red ball, golden light',
    };
    expect(reusedEnhancedPrompt(reuse, loaded.request)).toEqual({ prompt: 'a red ball, golden light' });
    expect(reusedEnhancedPrompt(reuse, { ...loaded.request, prompt: 'a blue ball' })).toBeUndefined();
    expect(reusedEnhancedPrompt(reuse, { ...loaded.request, enhance: 'off' })).toBeUndefined();
    expect(reusedEnhancedPrompt(undefined, loaded.request)).toBeUndefined();
    // Mode Off in the file (or the key absent): nothing to reuse.
    expect(
      applySettings({ ...settings, prompt_enhancer: '' }, base, manifest).enhancedPrompt,
    ).toBeUndefined();
    expect(applySettings({ ...settings, enhanced_prompt: 3 }, base, manifest).enhancedPrompt).toBeUndefined();
  });

  it('a task added with a reused enhanced prompt carries it, so the enhance stage does not run', () => {
    const s = applyCommand(
      emptyQueue(),
      { kind: 'add', id: 't', request: base, enhancedPrompt: 'a red ball, golden light' },
      1,
    ).state;
    expect(s.tasks[0]?.enhancedPrompt).toBe('a red ball, golden light');
    expect(
      applyCommand(emptyQueue(), { kind: 'add', id: 'u', request: base }, 1).state.tasks[0],
    ).not.toHaveProperty('enhancedPrompt');
  });
});
