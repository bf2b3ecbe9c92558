/**
 * test-captioner: a tiny image-captioner pack with the file layout and I/O contract of
 * onnx-community/Florence-2-base-ft (REAL_PACKS §6: onnx/vision_encoder.onnx, embed_tokens,
 * encoder_model, decoder_model_merged; tokenizer.json at the root; `<CAPTION>`'s prompt; decoder
 * start and stop token `</s>`) whose greedy caption names the image's dominant colour:
 * testCaption('red') = "a mostly red scene". The image side is 32 (Florence-2: 768), the
 * tokenizer WordPiece (Florence-2: BART byte-level BPE), the decoder one layer.
 */
import { parseCaptionerSpec } from '../../src/engine/enhancer/captioner-spec';
import { PACK_SCHEMA } from '../../src/engine/pack/manifest';
import { PackFolder } from '../demo-pack/pack-folder';
import { tokenizerJson } from '../demo-pack/tokenizer-json';
import { decoderModelMerged, embedTokens, encoderModel, visionEncoder } from './captioner-graphs';

export const TEST_CAPTIONER_ID = 'test-captioner';
export type TestColour = 'red' | 'green' | 'blue';
/** The caption test-captioner gives an image whose strongest channel is `colour`. */
export const testCaption = (colour: TestColour): string => `a mostly ${colour} scene`;

/** What Florence-2's processor makes of the `<DETAILED_CAPTION>` task token (the task WanGP's enhancer asks for; docs/enhancer.md). */
export const FLORENCE_CAPTION_PROMPT = 'Describe in detail what is shown in the image.';
export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];
const SPECIAL = ['<s>', '<pad>', '</s>'];
const WORDS = ['describe', 'in', 'detail', 'what', 'is', 'shown', 'the', 'image', '.', 'a', 'mostly', 'red', 'green', 'blue', 'scene'];
const DIMS = { heads: 2, headDim: 4 };

export function writeTestCaptionerPack(dir: string): void {
  const folder = new PackFolder(dir, true);
  const vocab = ['[PAD]', '[UNK]', ...SPECIAL, ...WORDS];
  const id = (t: string) => vocab.indexOf(t);
  const next = vocab.map(() => -1);
  const chain = ['</s>', '<s>', 'a', 'mostly'];
  for (let k = 0; k + 1 < chain.length; k++) next[id(chain[k] as string)] = id(chain[k + 1] as string);
  for (const c of ['red', 'green', 'blue']) next[id(c)] = id('scene');
  next[id('scene')] = id('</s>');
  const spec = { vocab: vocab.length, next, gate: id('mostly'), colours: [id('red'), id('green'), id('blue')] as [number, number, number], mean: IMAGENET_MEAN, std: IMAGENET_STD, ...DIMS };
  const tokenizer = folder.write('tokenizer.json', JSON.stringify(tokenizerJson(vocab, { special: SPECIAL, bos: '<s>', eos: '</s>' })));
  const graph = (name: string, bytes: Uint8Array) => ({ file: `onnx/${name}.onnx`, ...folder.write(`onnx/${name}.onnx`, bytes) });
  const captioner = {
    visionEncoder: graph('vision_encoder', visionEncoder(spec)),
    embedTokens: graph('embed_tokens', embedTokens(spec)),
    encoder: graph('encoder_model', encoderModel(spec)),
    decoder: graph('decoder_model_merged', decoderModelMerged(spec)),
    imageSize: 32,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    taskPrompt: FLORENCE_CAPTION_PROMPT,
    decoderStart: '</s>',
    eos: ['</s>'],
    decoderLayers: 1,
    ...DIMS,
    maxNewTokens: 32,
  };
  parseCaptionerSpec(captioner);
  folder.writeManifest({
    schema: PACK_SCHEMA,
    id: TEST_CAPTIONER_ID,
    version: '1.0.0',
    name: 'Test pack: image captioner (Florence-2-base-ft contract)',
    description: `Four tiny graphs with the transformers.js I/O of onnx-community/Florence-2-base-ft; the caption names the dominant colour ("${testCaption('red')}").`,
    license: 'MIT',
    demo: true,
    pipeline: 'image-captioner',
    tokenizer: { file: 'tokenizer.json', ...tokenizer },
    captioner,
  });
}
