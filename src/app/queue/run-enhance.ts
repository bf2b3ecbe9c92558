/**
 * The enhance stage of a queued generation: runs before the engine loads the generation pack,
 * reports `enhance` progress with the text as it arrives, and hands the result to `onEnhanced`
 * (the runner stores it on the task), so a resumed or retried task reuses it instead of
 * enhancing again. The local LLM stays loaded only when it and the generation fit the GPU
 * memory budget (enhancer-release.ts); otherwise it is reset before the generation pack loads.
 * Failures are `enhancer-failed` (the task stays and can be retried).
 */
import type { BackendPreference } from '../../engine/capabilities';
import type { EnhancerReleaseDecision } from '../../engine/enhancer/enhancer-release';
import { enhancementKey, storedEnhancementFits } from '../../engine/enhancer/enhancement-key';
import { remoteEnhance } from '../../engine/enhancer/remote-enhancer';
import { EngineError } from '../../engine/errors';
import type { ProgressCallback } from '../../engine/progress';
import type { Task } from '../../engine/queue/task';
import type { TaskRequest } from '../../engine/request';
import type { EnhancerSettings } from '../../storage/enhancer-settings-store';
import { captionLocally, enhanceLocally, resetEnhancer } from '../bridges/enhancer-bridge';
import { enhancerDecision } from './enhancer-memory';

export interface EnhanceStageOptions {
  settings: EnhancerSettings;
  jobId: string;
  backend: BackendPreference;
  signal: AbortSignal;
  onProgress: ProgressCallback;
  /** The enhanced prompt and its key (enhancement-key.ts), stored on the task. */
  onEnhanced: (prompt: string, key?: string) => void;
  /** The local LLM's keep-or-release decision, for the run's notes. */
  onRelease?: (d: EnhancerReleaseDecision) => void;
}

const failure = (reason: string, message: string) => new EngineError('enhancer-failed', message, { reason });

/** An enhanced prompt and the key of the inputs it was made from. */
export interface Enhancement {
  prompt: string;
  key?: string;
}

/**
 * The prompt the generation uses: the stored one while the task's inputs (prompt, mode, start
 * image, enhancer) are those it was made from, else a new one; undefined when the task does not enhance.
 */
export async function enhanceStage(
  task: Task,
  request: TaskRequest,
  o: EnhanceStageOptions,
): Promise<Enhancement | undefined> {
  const mode = request.enhance ?? 'off';
  if (mode === 'off') return undefined;
  const s = o.settings;
  const key = await enhancementKey(request, s);
  if (task.enhancedPrompt !== undefined && storedEnhancementFits(task.enhancedFor, key))
    return {
      prompt: task.enhancedPrompt,
      ...(task.enhancedFor !== undefined ? { key: task.enhancedFor } : {}),
    };
  if (s.provider === 'none')
    throw failure(
      'no-provider',
      'This task asks to enhance its prompt, but Settings → Prompt enhancer is None. Choose Remote (or Local), or set Enhance prompt to Off, then retry the task.',
    );
  if (s.provider === 'remote' && (!s.url.trim() || !s.model.trim()))
    throw failure(
      'not-configured',
      'Set "Enhancer URL" and "Enhancer model" in Settings → Prompt enhancer, then retry the task.',
    );
  const onText = (text: string, tokens: number) => o.onProgress({ stage: 'enhance', text, tokens });
  o.onProgress({ stage: 'enhance', text: '', tokens: 0 });
  let keep = false;
  try {
    const imageCaption = mode === 'text' ? undefined : await caption(request, s, o);
    const req = { prompt: request.prompt, mode, seed: request.seed, signal: o.signal, onText };
    let text: string;
    if (s.provider === 'local') {
      const out = await enhanceLocally({
        ...req,
        ...(imageCaption !== undefined ? { imageCaption } : {}),
        jobId: o.jobId,
        packId: s.llmPack,
        backend: o.backend,
      });
      text = out.text;
      // A plan or budget that cannot be read releases the LLM (the safe choice).
      const d = await enhancerDecision(request, out.sessionBytes, o.backend).catch(() => undefined);
      keep = d?.keep ?? false;
      if (d) o.onRelease?.(d);
    } else
      text = await remoteEnhance(
        { baseUrl: s.url, model: s.model, ...(s.apiKey ? { apiKey: s.apiKey } : {}) },
        { ...req, ...(imageCaption !== undefined ? { imageCaption } : {}) },
      );
    o.onEnhanced(text, key);
    return { prompt: text, ...(key !== undefined ? { key } : {}) };
  } finally {
    // The captioner's sessions are gone already; the LLM's go unless both fit the budget.
    if (!keep) await resetEnhancer();
  }
}

/** The start image's caption (Image modes), made by the captioner pack in the enhancer worker. */
async function caption(request: TaskRequest, s: EnhancerSettings, o: EnhanceStageOptions): Promise<string> {
  if (!request.startImage)
    throw failure(
      'no-start-image',
      'Image enhancement captions the start image, and this task has none. Add a start image or set Enhance prompt to Text, then retry the task.',
    );
  if (!s.captionerPack.trim())
    throw failure(
      'no-captioner',
      'Image enhancement needs a captioner pack: set "Captioner pack" in Settings → Prompt enhancer, then retry the task.',
    );
  const text = await captionLocally({
    jobId: o.jobId,
    packId: s.captionerPack,
    backend: o.backend,
    startImage: request.startImage,
    signal: o.signal,
  });
  o.onProgress({ stage: 'enhance', text: `Start image: ${text}`, tokens: 0 });
  return text;
}
