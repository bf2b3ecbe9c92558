/**
 * A tiny CLIP-format vocabulary for test packs: `vocab.json` (byte-level characters, each also
 * with the `</w>` end-of-word suffix, then the merged pieces, then `<|startoftext|>` and
 * `<|endoftext|>` as the last two ids, as in the real 49,408-token file) and `merges.txt` whose
 * merges build every word whole. Checked with the engine's own CLIP tokenizer: each word must
 * come out as one token.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { CLIP_BOS, CLIP_EOS, clipTokenizerJson } from '../../src/engine/text/clip-bpe';

export interface ClipVocab {
  vocab: Record<string, number>;
  merges: string[];
  /** vocab.json and merges.txt as written into a pack. */
  vocabJson: string;
  mergesTxt: string;
}

/** Builds the files for `words` (lower-case letters only; others are skipped). */
export function clipVocab(words: string[]): ClipVocab {
  const list = [...new Set(words.filter((w) => /^[a-z]+$/.test(w)))];
  const chars = [...new Set(list.join(''))].sort();
  const pieces: string[] = [...chars, ...chars.map((c) => `${c}</w>`)];
  const merges: string[] = [];
  const add = (a: string, b: string) => {
    merges.push(`${a} ${b}`);
    if (!pieces.includes(a + b)) pieces.push(a + b);
  };
  const build = () => {
    const vocab = Object.fromEntries([...pieces, CLIP_BOS, CLIP_EOS].map((p, i) => [p, i]));
    return { vocab, tok: new Tokenizer(clipTokenizerJson(vocab, merges), {}) };
  };
  // Left-to-right merges per word; a word split by another word's earlier merge gets the merges
  // joining its current pieces, until every word is one token.
  for (const w of list) {
    let cur = w[0] as string;
    for (let i = 1; i < w.length; i++) {
      const next = i === w.length - 1 ? `${w[i]}</w>` : (w[i] as string);
      add(cur, next);
      cur += next;
    }
  }
  for (let round = 0; round < 10; round++) {
    const { vocab, tok } = build();
    const split = list.map((w) => tok.encode(w, { add_special_tokens: false }).tokens).filter((t) => t.length > 1);
    if (split.length === 0) return { vocab, merges, vocabJson: JSON.stringify(vocab), mergesTxt: `#version: 0.2\n${merges.join('\n')}\n` };
    for (const tokens of split) {
      let cur = tokens[0] as string;
      for (const t of tokens.slice(1)) {
        add(cur, t);
        cur += t;
      }
    }
  }
  throw new Error('clipVocab: merges did not converge');
}
