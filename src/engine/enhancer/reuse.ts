/**
 * Reusing an enhanced prompt loaded with "Load settings": the form keeps the user's prompt, and
 * a task queued with the same prompt and Enhance mode carries the stored enhanced prompt (as a
 * resumed task does), so it is not enhanced again. Changing the prompt or the mode ends the reuse.
 */
import type { TaskRequest } from '../request';
import type { EnhanceMode } from './provider';

export interface ReusedEnhancement {
  /** The user's prompt and mode the enhanced prompt was made from. */
  prompt: string;
  enhance: EnhanceMode;
  enhancedPrompt: string;
}

/** The enhanced prompt a task from `request` carries, or undefined when the prompt or mode changed (or there is none). */
export function reusedEnhancedPrompt(
  reuse: ReusedEnhancement | undefined,
  request: Pick<TaskRequest, 'prompt' | 'enhance'>,
): string | undefined {
  if (!reuse || reuse.enhance === 'off') return undefined;
  return request.prompt === reuse.prompt && (request.enhance ?? 'off') === reuse.enhance
    ? reuse.enhancedPrompt
    : undefined;
}
