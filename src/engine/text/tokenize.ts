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
 * How an over-long prompt is cut: `ids` cuts the encoded ids, special tokens included, to
 * maxLength (transformers.js — an over-long UMT5 prompt loses its trailing `</s>`); `keep-special`
 * cuts only the text's tokens so the post-processor's special tokens still fit (Python tokenizers
 * and diffusers — `</s>` stays last).
 */
export type Truncation = 'ids' | 'keep-special';

function truncatedIds(
  tokenizer: Tokenizer,
  text: string,
  maxLength: number,
  truncation: Truncation,
): number[] {
  const full = tokenizer.encode(text).ids;
  if (full.length <= maxLength || truncation === 'ids') return full.slice(0, maxLength);
  const inner = tokenizer.encode(text, { add_special_tokens: false }).ids;
  const added = full.length - inner.length;
  // Where the text sits among the special tokens the post-processor wrapped it in.
  const at = Array.from({ length: added + 1 }, (_, k) => k).find((k) =>
    inner.every((id, i) => full[k + i] === id),
  );
  if (at === undefined || added >= maxLength) return full.slice(0, maxLength);
  return [...full.slice(0, at), ...inner.slice(0, maxLength - added), ...full.slice(at + inner.length)];
}

/**
 * Tokenizes (inside `chatTemplate` when given), truncates to `maxLength` as `truncation` says
 * (default `ids`) and, with padding `max-length` (the default), pads with `padId` (mask 0 on
 * padding); with `none` only the real tokens are returned (at least one: an empty prompt keeps
 * one pad token).
 */
export function encodePrompt(
  tokenizer: Tokenizer,
  text: string,
  maxLength: number,
  padId: number,
  opts: { padding?: 'max-length' | 'none'; chatTemplate?: string; truncation?: Truncation } = {},
): EncodedPrompt {
  const wrapped = opts.chatTemplate ? opts.chatTemplate.replace('{prompt}', text) : text;
  const ids = truncatedIds(tokenizer, wrapped, maxLength, opts.truncation ?? 'ids');
  const size = opts.padding === 'none' ? Math.max(1, ids.length) : maxLength;
  const out = {
    ids: new BigInt64Array(size).fill(BigInt(padId)),
    mask: new BigInt64Array(size),
    length: ids.length,
  };
  ids.forEach((id, i) => {
    out.ids[i] = BigInt(id);
    out.mask[i] = 1n;
  });
  return out;
}
