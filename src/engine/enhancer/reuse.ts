/**
 * Reusing an enhanced prompt loaded with "Load settings": the form keeps the user's prompt, and
 * a task queued with the same prompt and Enhance mode carries the stored enhanced prompt and its
 * key (as a resumed task does). The enhance stage then reuses it only while the task's start
 * image and enhancer give the same key (enhancement-key.ts); changing the prompt or the mode
 * ends the reuse at once. An Image-mode prompt from a file without a key is not reused: whether
 * the start image is the same cannot be told.
 */
import type { TaskRequest } from '../request';
import type { EnhanceMode } from './provider';

export interface ReusedEnhancement {
  /** The user's prompt and mode the enhanced prompt was made from. */
  prompt: string;
  enhance: EnhanceMode;
  enhancedPrompt: string;
  /** The loaded file's `enhanced_prompt_key`, when it had one. */
  key?: string;
}

/** The enhanced prompt (and its key) a task from `request` carries, or undefined when the prompt or mode changed (or there is none). */
export function reusedEnhancedPrompt(
  reuse: ReusedEnhancement | undefined,
  request: Pick<TaskRequest, 'prompt' | 'enhance'>,
): { prompt: string; key?: string } | undefined {
  if (!reuse || reuse.enhance === 'off') return undefined;
  if (reuse.key === undefined && reuse.enhance !== 'text') return undefined;
  return request.prompt === reuse.prompt && (request.enhance ?? 'off') === reuse.enhance
    ? { prompt: reuse.enhancedPrompt, ...(reuse.key !== undefined ? { key: reuse.key } : {}) }
    : undefined;
}
