/**
 * The local provider's LLM: a prompt-enhancer LLM pack (pipeline `prompt-llm`) opened on WebGP's
 * own onnxruntime-web — tokenizer.json through @huggingface/tokenizers, the chat template and stop
 * tokens from pack.json, decoding with a KV cache (./decode-loop.ts) — and released by dispose().
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from '../errors';
import type { OrtModule, OrtSession } from '../runtime';
import { decodeTokens } from './decode-loop';
import { type LlmSpec, renderChat } from './llm-spec';
import type { SamplingOptions } from './sample';

export interface LocalLlm {
  spec: LlmSpec;
  tokenizer: Tokenizer;
  session: OrtSession;
}

export interface GenerateOptions extends SamplingOptions {
  seed: number;
  maxNewTokens?: number;
  signal?: AbortSignal;
  onText?: (textSoFar: string, tokens: number) => void;
}

/** The vocabulary ids of the spec's stop tokens; a stop token missing from the tokenizer is an error. */
export function eosIds(spec: LlmSpec, tokenizer: Tokenizer): number[] {
  return spec.eos.map((t) => {
    const id = tokenizer.token_to_id(t);
    if (id === undefined)
      throw new EngineError(
        'invalid-manifest',
        `pack.json llm.eos names "${t}", which is not in the tokenizer. Fix the pack's pack.json.`,
      );
    return id;
  });
}

/** Runs the chat (system + user) and returns the assistant's text, streamed through onText. */
export async function chat(
  ort: OrtModule,
  llm: LocalLlm,
  system: string,
  user: string,
  o: GenerateOptions,
): Promise<string> {
  const prompt = renderChat(llm.spec.chatTemplate, system, user);
  const ids = llm.tokenizer.encode(prompt, { add_special_tokens: false }).ids;
  const out: number[] = [];
  const text = () => llm.tokenizer.decode(out, { skip_special_tokens: true }).trim();
  await decodeTokens(ort, llm.session, llm.spec, ids, {
    ...o,
    maxNewTokens: o.maxNewTokens ?? llm.spec.maxNewTokens,
    eosIds: eosIds(llm.spec, llm.tokenizer),
    onToken: (id, step) => {
      out.push(id);
      o.onText?.(text(), step);
    },
  });
  return text();
}
