/**
 * Opens an installed image-captioner pack (pipeline `image-captioner`) from a PackSource:
 * pack.json's `captioner` section, tokenizer.json and the four graphs, each checked against the
 * sizes and hashes pack.json lists, one session each on the chosen backend (outputs on the CPU).
 */
import type { PackSource } from '../pack/pack-source';
import type { Backend, OrtModule } from '../runtime';
import type { Captioner } from './captioner';
import { parseCaptionerSpec } from './captioner-spec';
import { openVerifiedGraph, type PinnedFile, readEnhancerPack } from './enhancer-pack';

export async function openCaptionerPack(
  ort: OrtModule,
  source: PackSource,
  backend: Backend,
): Promise<Captioner> {
  const { manifest, tokenizer } = await readEnhancerPack(
    source,
    'image-captioner',
    'an image-captioner',
    'a captioner pack',
  );
  const spec = parseCaptionerSpec(manifest.captioner);
  const open = (g: PinnedFile) => openVerifiedGraph(ort, source, backend, g);
  // One after another: each graph's bytes can be dropped before the next is read.
  const visionEncoder = await open(spec.visionEncoder);
  const embedTokens = await open(spec.embedTokens);
  const encoder = await open(spec.encoder);
  const decoder = await open(spec.decoder);
  return { spec, tokenizer, sessions: { visionEncoder, embedTokens, encoder, decoder } };
}
