/** Prompt → fixed-length token ids + attention mask, through a real tokenizer.json. */
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

/** Tokenizes, truncates to `maxLength` and pads with `padId` (mask 0 on padding). */
export function encodePrompt(tokenizer: Tokenizer, text: string, maxLength: number, padId: number): EncodedPrompt {
  const ids = tokenizer.encode(text).ids.slice(0, maxLength);
  const out = { ids: new BigInt64Array(maxLength).fill(BigInt(padId)), mask: new BigInt64Array(maxLength), length: ids.length };
  ids.forEach((id, i) => {
    out.ids[i] = BigInt(id);
    out.mask[i] = 1n;
  });
  return out;
}
