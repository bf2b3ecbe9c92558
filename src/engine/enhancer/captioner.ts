/**
 * Image captioning with a Florence-2-style encoder-decoder pack on WebGP's own onnxruntime-web
 * (the transformers.js Florence-2 flow, REAL_PACKS §6): the start image resized and normalised
 * into `pixel_values`, `vision_encoder` → image features, prepended to the embedded task prompt
 * (`embed_tokens`) with a mask of ones, `encoder_model` → encoder states, then greedy decoding
 * from the start token. Each step re-runs the decoder over all tokens so far with the cache
 * branch off (a zero-length past where the graph declares one): a caption is a few dozen tokens.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { abortError, EngineError } from '../errors';
import { frameToPlanar } from '../matting/resample';
import { dataUrlBytes, decodePng } from '../media/png-decode';
import { type OrtModule, type OrtSession, type OrtTensor, readFloats } from '../runtime';
import type { CaptionerSpec } from './captioner-spec';
import { argmax } from './sample';

export interface Captioner {
  spec: CaptionerSpec;
  tokenizer: Tokenizer;
  sessions: { visionEncoder: OrtSession; embedTokens: OrtSession; encoder: OrtSession; decoder: OrtSession };
}

const i64 = (ort: OrtModule, values: number[]) =>
  new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);

function tokenId(tokenizer: Tokenizer, token: string): number {
  const id = tokenizer.token_to_id(token);
  if (id === undefined)
    throw new EngineError(
      'invalid-manifest',
      `pack.json captioner names the token "${token}", which is not in the tokenizer. Fix the pack's pack.json.`,
    );
  return id;
}

async function only(session: OrtSession, feeds: Record<string, OrtTensor>, name: string) {
  const out = (await session.run(feeds))[name];
  if (!out)
    throw new EngineError(
      'invalid-manifest',
      `A captioner graph has no ${name} output. Re-install the captioner pack.`,
    );
  return { data: await readFloats(out), dims: out.dims };
}

/** The image as `pixel_values` [1, 3, S, S]: resized to S×S (aspect not kept, as Florence-2's processor does), (v/255 − mean)/std. */
export function pixelValues(ort: OrtModule, spec: CaptionerSpec, pngDataUrl: string): OrtTensor {
  const img = decodePng(dataUrlBytes(pngDataUrl));
  const s = spec.imageSize;
  const data = frameToPlanar(
    { width: img.width, height: img.height, data: new Uint8ClampedArray(img.rgba) },
    s,
    s,
    { x: 0, y: 0, width: s, height: s },
    { mean: spec.mean, std: spec.std },
  );
  return new ort.Tensor('float32', data, [1, 3, s, s]);
}

function decoderFeeds(ort: OrtModule, c: Captioner, names: readonly string[]): Record<string, OrtTensor> {
  const feeds: Record<string, OrtTensor> = {};
  if (names.includes('use_cache_branch'))
    feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([0]), [1]);
  for (let i = 0; i < c.spec.decoderLayers; i++)
    for (const part of ['decoder', 'encoder'])
      for (const kind of ['key', 'value']) {
        const name = `past_key_values.${i}.${part}.${kind}`;
        if (names.includes(name))
          feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, c.spec.heads, 0, c.spec.headDim]);
      }
  return feeds;
}

/** The caption of a PNG data URL (special tokens dropped, trimmed). */
export async function captionImage(
  ort: OrtModule,
  c: Captioner,
  pngDataUrl: string,
  o: { signal?: AbortSignal; maxNewTokens?: number } = {},
): Promise<string> {
  const { spec, tokenizer, sessions: s } = c;
  const image = await only(
    s.visionEncoder,
    { pixel_values: pixelValues(ort, spec, pngDataUrl) },
    'image_features',
  );
  const promptIds = tokenizer.encode(spec.taskPrompt).ids;
  const text = await only(s.embedTokens, { input_ids: i64(ort, promptIds) }, 'inputs_embeds');
  const width = image.dims[2] as number;
  const length = (image.dims[1] as number) + promptIds.length;
  const joined = new Float32Array(length * width);
  joined.set(image.data);
  joined.set(text.data, image.data.length);
  const mask = i64(ort, new Array<number>(length).fill(1));
  const encoded = await only(
    s.encoder,
    { inputs_embeds: new ort.Tensor('float32', joined, [1, length, width]), attention_mask: mask },
    'last_hidden_state',
  );
  const states = new ort.Tensor('float32', encoded.data, encoded.dims);
  const fixed = decoderFeeds(ort, c, s.decoder.inputNames);
  const eos = spec.eos.map((t) => tokenId(tokenizer, t));
  const ids = [tokenId(tokenizer, spec.decoderStart)];
  const limit = o.maxNewTokens ?? spec.maxNewTokens;
  for (let step = 0; step < limit; step++) {
    if (o.signal?.aborted) throw abortError('Captioning');
    const embeds = await only(s.embedTokens, { input_ids: i64(ort, ids) }, 'inputs_embeds');
    const logits = await only(
      s.decoder,
      {
        ...fixed,
        inputs_embeds: new ort.Tensor('float32', embeds.data, embeds.dims),
        encoder_hidden_states: states,
        encoder_attention_mask: mask,
      },
      'logits',
    );
    const vocab = logits.dims[2] as number;
    const next = argmax(logits.data.subarray(logits.data.length - vocab));
    if (eos.includes(next)) break;
    ids.push(next);
  }
  return tokenizer.decode(ids.slice(1), { skip_special_tokens: true }).trim();
}

/** Releases the captioner's four sessions. */
export async function releaseCaptioner(c: Captioner): Promise<void> {
  await Promise.all(Object.values(c.sessions).map((x) => x.release()));
}
