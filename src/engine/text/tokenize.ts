/** Prompt → token ids + attention mask through a real tokenizer.json, as the pack's tokenizer spec says. */
import { Tokenizer } from '@huggingface/tokenizers';

export interface EncodedPrompt {
  ids: BigInt64Array;
  mask: BigInt64Array;
  /** Real (unpadded) token count after truncation. */
  length: number;
}

export function loadTokenizer(tokenizerJson: object, maxLength: number): Tokenizer {
  return new Tokenizer(tokenizerJson, { model_max_length: maxLength });
}

/**
 * Tokenizes (inside `chatTemplate` when given), truncates to `maxLength` and, with padding
 * `max-length` (the default), pads with `padId` (mask 0 on padding); with `none` only the real
 * tokens are returned (at least one: an empty prompt keeps one pad token). `keepEos` truncates
 * before the last id, so a long prompt still ends in EOS (CLIP, as transformers' CLIPTokenizer).
 */
export function encodePrompt(tokenizer: Tokenizer, text: string, maxLength: number, padId: number, opts: { padding?: 'max-length' | 'none'; chatTemplate?: string; keepEos?: boolean } = {}): EncodedPrompt {
  const wrapped = opts.chatTemplate ? opts.chatTemplate.replace('{prompt}', text) : text;
  const all = tokenizer.encode(wrapped).ids;
  const ids = opts.keepEos && all.length > maxLength ? [...all.slice(0, maxLength - 1), all[all.length - 1] as number] : all.slice(0, maxLength);
  const size = opts.padding === 'none' ? Math.max(1, ids.length) : maxLength;
  const out = { ids: new BigInt64Array(size).fill(BigInt(padId)), mask: new BigInt64Array(size), length: ids.length };
  ids.forEach((id, i) => {
    out.ids[i] = BigInt(id);
    out.mask[i] = 1n;
  });
  return out;
}
