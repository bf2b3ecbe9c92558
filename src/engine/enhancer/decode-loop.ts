/**
 * Autoregressive decoding with a KV cache on WebGP's own onnxruntime-web, for a transformers.js
 * decoder-only export (REAL_PACKS §6): the first call feeds the whole prompt with a zero-length
 * past; each later call feeds one token, an attention mask over past + 1, its position, and the
 * previous call's `present.{i}.*` as `past_key_values.{i}.*`. Stops on an EOS id or after
 * maxNewTokens; each new token goes to `onToken`. The abort signal is checked between steps.
 */
import { abortError } from '../errors';
import { mulberry32 } from '../random';
import { floatTensor, type OrtModule, type OrtSession, type OrtTensor, readFloats } from '../runtime';
import type { LlmSpec } from './llm-spec';
import { type SamplingOptions, sampleToken } from './sample';

export interface DecodeOptions extends SamplingOptions {
  maxNewTokens: number;
  eosIds: number[];
  /** Seeds sampling (ignored when greedy). */
  seed?: number;
  signal?: AbortSignal;
  onToken?: (id: number, step: number) => void;
}

const i64 = (ort: OrtModule, values: number[]) =>
  new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);

function emptyPast(ort: OrtModule, spec: LlmSpec): Record<string, OrtTensor> {
  const feeds: Record<string, OrtTensor> = {};
  for (let i = 0; i < spec.layers; i++) {
    for (const kind of ['key', 'value'])
      feeds[`past_key_values.${i}.${kind}`] = floatTensor(ort, spec.kvDtype, new Float32Array(0), [
        1,
        spec.kvHeads,
        0,
        spec.headDim,
      ]);
  }
  return feeds;
}

/** The feeds of one step: `ids` new tokens after `past` cached ones. */
export function stepFeeds(
  ort: OrtModule,
  inputNames: readonly string[],
  ids: number[],
  past: number,
  cache: Record<string, OrtTensor>,
): Record<string, OrtTensor> {
  const feeds: Record<string, OrtTensor> = {
    input_ids: i64(ort, ids),
    attention_mask: i64(ort, new Array<number>(past + ids.length).fill(1)),
    ...cache,
  };
  if (inputNames.includes('position_ids'))
    feeds.position_ids = i64(
      ort,
      ids.map((_, k) => past + k),
    );
  return feeds;
}

/** Decodes after `promptIds`; returns the new token ids (the EOS that stopped it excluded). */
export async function decodeTokens(
  ort: OrtModule,
  session: OrtSession,
  spec: LlmSpec,
  promptIds: number[],
  o: DecodeOptions,
): Promise<number[]> {
  const uniform = mulberry32(o.seed ?? 0);
  const out: number[] = [];
  let cache = emptyPast(ort, spec);
  let ids = promptIds;
  let past = 0;
  while (out.length < o.maxNewTokens) {
    if (o.signal?.aborted) throw abortError('Prompt enhancement');
    const result = await session.run(stepFeeds(ort, session.inputNames, ids, past, cache));
    const logits = result.logits;
    if (!logits) throw new Error('the LLM graph has no logits output');
    const vocab = logits.dims[2] as number;
    const all = await readFloats(logits);
    const token = sampleToken(all.subarray(all.length - vocab), o, uniform);
    if (o.eosIds.includes(token)) break;
    out.push(token);
    o.onToken?.(token, out.length);
    past += ids.length;
    ids = [token];
    cache = {};
    for (let i = 0; i < spec.layers; i++) {
      for (const kind of ['key', 'value']) {
        const present = result[`present.${i}.${kind}`];
        if (!present) throw new Error(`the LLM graph has no present.${i}.${kind} output`);
        cache[`past_key_values.${i}.${kind}`] = present;
      }
    }
  }
  return out;
}
