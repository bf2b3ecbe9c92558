/**
 * Opens an installed image-captioner pack (pipeline `image-captioner`) from a PackSource:
 * pack.json's `captioner` section, tokenizer.json and the four graphs, each checked against the
 * sizes and hashes pack.json lists, one session each on the chosen backend (outputs on the CPU).
 */
import { EngineError } from '../errors';
import type { PackSource } from '../pack/pack-source';
import { verifyFile } from '../pack/pack-source';
import { type Backend, type OrtModule, sessionOptions } from '../runtime';
import { loadTokenizer } from '../text/tokenize';
import type { Captioner } from './captioner';
import { parseCaptionerSpec } from './captioner-spec';
import { json } from './open-llm';

export async function openCaptionerPack(
  ort: OrtModule,
  source: PackSource,
  backend: Backend,
): Promise<Captioner> {
  const manifest = json(await source.readBytes('pack.json'), 'pack.json', source);
  if (manifest.pipeline !== 'image-captioner')
    throw new EngineError(
      'invalid-manifest',
      `${source.label} is not an image-captioner pack (pipeline is ${String(manifest.pipeline)}, not image-captioner). Choose a captioner pack in Settings → Prompt enhancer.`,
    );
  const spec = parseCaptionerSpec(manifest.captioner);
  const tok = manifest.tokenizer as { file?: unknown; bytes?: number; sha256?: string } | undefined;
  if (!tok || typeof tok.file !== 'string')
    throw new EngineError(
      'invalid-manifest',
      `${source.label}pack.json has no tokenizer.file. Fix the pack's pack.json.`,
    );
  const tokBytes = await source.readBytes(tok.file);
  await verifyFile(tok.file, tokBytes, tok);
  const tokenizer = loadTokenizer(json(tokBytes, tok.file, source), 1 << 20);
  const open = async (g: { file: string; bytes?: number; sha256?: string }) => {
    const bytes = await source.readBytes(g.file);
    await verifyFile(g.file, bytes, g);
    return ort.InferenceSession.create(bytes, sessionOptions(backend, false));
  };
  // One after another: each graph's bytes can be dropped before the next is read.
  const visionEncoder = await open(spec.visionEncoder);
  const embedTokens = await open(spec.embedTokens);
  const encoder = await open(spec.encoder);
  const decoder = await open(spec.decoder);
  return { spec, tokenizer, sessions: { visionEncoder, embedTokens, encoder, decoder } };
}
