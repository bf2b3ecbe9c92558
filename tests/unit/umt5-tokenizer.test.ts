/** UMT5 end-of-sequence handling on the test-fastwan tokenizer (src/engine/text/tokenize.ts), as the
 * FastWan reference driver does it (cretz/intabai web/src/fastwan/tokenizer.ts: transformers.js with
 * truncation to 512 and no padding, then pad id 0): `</s>` (id 1) right after the text, pad 0, mask 1
 * on text + `</s>`; an over-long prompt is cut after post-processing, so `</s>` is lost (truncation
 * `ids`), while `keep-special` keeps it last (Python tokenizers / diffusers). */
import type { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/engine/pack/manifest';
import { encodePrompt, loadTokenizer } from '../../src/engine/text/tokenize';
import { readPackFile } from '../helpers/test-packs';
import { PACKS_DIR } from '../helpers/ort-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const text = (path: string) => new TextDecoder().decode(readPackFile('test-fastwan', path));
const m = parseManifestText(text('pack.json'));
const tok: Tokenizer = loadTokenizer(JSON.parse(text(m.tokenizer.file)) as object, m.tokenizer.maxLength);
const id = (word: string) => tok.token_to_id(word) as number;
const big = (ids: number[]) => ids.map(BigInt);
const encode = (prompt: string, truncation = m.tokenizer.truncation) =>
  encodePrompt(tok, prompt, m.tokenizer.maxLength, m.tokenizer.padId, {
    padding: m.tokenizer.padding,
    truncation,
  });

describe('test-fastwan UMT5 tokenizer', () => {
  it('mirrors the real pack: UMT5 ids (pad 0, </s> 1, unk 2), 16 tokens padded with 0, truncation "ids"', () => {
    expect([id('[PAD]'), id('</s>'), id('[UNK]')]).toEqual([0, 1, 2]);
    expect([m.tokenizer.maxLength, m.tokenizer.padId, m.tokenizer.padding, m.tokenizer.truncation]).toEqual([
      16,
      0,
      'max-length',
      'ids',
    ]);
    const real = parseManifestText(
      readFileSync(join(PACKS_DIR, 'fastwan2.2-ti2v-5b', 'pack.json'), 'utf8'),
    ).tokenizer;
    expect([real.maxLength, real.padId, real.padding, real.truncation]).toEqual([
      512,
      0,
      'max-length',
      'ids',
    ]);
  });

  it('a short prompt: </s> right after the text, then pad 0 with mask 0', () => {
    const enc = encode('a red ball');
    const words = [id('a'), id('red'), id('ball')];
    expect(words.every((w) => w > 2)).toBe(true);
    expect(enc.length).toBe(4);
    expect([...enc.ids]).toEqual(big([...words, 1, ...Array<number>(12).fill(0)]));
    expect([...enc.mask]).toEqual(big([1, 1, 1, 1, ...Array<number>(12).fill(0)]));
  });

  it('an empty prompt is </s> alone', () => {
    const enc = encode('');
    expect(enc.length).toBe(1);
    expect([...enc.ids.slice(0, 2)]).toEqual([1n, 0n]);
  });

  const long = Array.from({ length: 10 }, () => 'red ball').join(' ');
  const words = Array.from({ length: 20 }, (_, i) => id(i % 2 ? 'ball' : 'red'));

  it('an over-long prompt with truncation "ids" (the reference): the first 16 ids, </s> cut off, mask all 1', () => {
    const enc = encode(long);
    expect(enc.length).toBe(16);
    expect([...enc.ids]).toEqual(big(words.slice(0, 16)));
    expect([...enc.ids.slice(-2)]).toEqual(big([id('red'), id('ball')]));
    expect([...enc.mask].every((v) => v === 1n)).toBe(true);
  });

  it('an over-long prompt with truncation "keep-special": 15 text ids, then </s> last', () => {
    const enc = encode(long, 'keep-special');
    expect(enc.length).toBe(16);
    expect([...enc.ids]).toEqual(big([...words.slice(0, 15), 1]));
    expect([...enc.ids.slice(-2)]).toEqual(big([id('red'), 1]));
    // A prompt that fits is the same either way.
    expect([...encode('a red ball', 'keep-special').ids]).toEqual([...encode('a red ball').ids]);
  });
});
