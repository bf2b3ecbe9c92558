/**
 * The local provider: the LLM pack opened on first use (prime, or the first enhance), reused
 * while the enhancer is primed, and released by reset() so its GPU memory is free before the
 * generation pack loads. Image modes take the start image's caption from the request (the
 * captioner runs first); without one they fail with a message that says so.
 */
import { EngineError } from '../errors';
import { memoise } from '../memo';
import type { OrtModule } from '../runtime';
import { chat, type LocalLlm } from './local-llm';
import type { EnhanceRequest, PromptEnhancer } from './provider';
import { VIDEO_SYSTEM_PROMPT, userMessage } from './system-prompt';

export interface LocalEnhancerOptions {
  ort: OrtModule;
  /** Opens the installed LLM pack (tokenizer, spec, session). */
  openLlm: () => Promise<LocalLlm>;
  temperature?: number;
  maxNewTokens?: number;
}

export function localEnhancer(o: LocalEnhancerOptions): PromptEnhancer & { readonly loaded: boolean } {
  const llm = memoise(o.openLlm);
  const open = () => llm.get();
  return {
    kind: 'local',
    get loaded() {
      return llm.started;
    },
    prime: async () => {
      await open();
    },
    enhance: async (req: EnhanceRequest) => {
      if ((req.mode === 'image' || req.mode === 'text-image') && !req.imageCaption) {
        throw new EngineError(
          'enhancer-failed',
          'Image enhancement needs a caption of the start image, and there is none: add a start image or choose "Text".',
          { reason: 'no-caption' },
        );
      }
      const text = await chat(o.ort, await open(), VIDEO_SYSTEM_PROMPT, userMessage(req), {
        seed: req.seed,
        temperature: o.temperature ?? 0,
        ...(o.maxNewTokens ? { maxNewTokens: o.maxNewTokens } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
        ...(req.onText ? { onText: req.onText } : {}),
      });
      if (!text)
        throw new EngineError(
          'enhancer-failed',
          'The local LLM produced no text. Retry with another seed, or set Prompt enhancer to None.',
          { reason: 'empty' },
        );
      return text;
    },
    reset: async () => {
      const current = llm.forget();
      if (current) await (await current).session.release();
    },
  };
}
