/**
 * The prompt enhancer's settings (provider, Enhancer URL, Enhancer model, API key), in this
 * browser's IndexedDB under their own key (`enhancer` in the `settings` store): never part of the app settings a task snapshots, of
 * outputs, queue files or the run history, so the API key stays in this browser.
 */
import type { EnhancerKind } from '../engine/enhancer/provider';
import { db, putOne } from './db';

export interface EnhancerSettings {
  version: 1;
  provider: EnhancerKind;
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1. */
  url: string;
  model: string;
  apiKey: string;
  /** The local provider's LLM pack (installed, or bundled under models/<id>/). */
  llmPack: string;
  /** The image captioner pack for Image modes (either provider; it always runs here). */
  captionerPack: string;
}

export const DEFAULT_ENHANCER_SETTINGS: EnhancerSettings = {
  version: 1,
  provider: 'none',
  url: 'http://127.0.0.1:11434/v1',
  model: '',
  apiKey: '',
  llmPack: 'qwen2.5-0.5b-instruct',
  captionerPack: 'florence-2-base-ft',
};

const KEY = 'enhancer';

export async function loadEnhancerSettings(): Promise<EnhancerSettings> {
  const saved = (await (await db()).get('settings', KEY)) as Partial<EnhancerSettings> | undefined;
  return { ...DEFAULT_ENHANCER_SETTINGS, ...(saved?.version === 1 ? saved : {}) };
}

export async function saveEnhancerSettings(s: EnhancerSettings): Promise<void> {
  await putOne('settings', { ...s }, KEY);
}
