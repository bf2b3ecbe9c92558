/**
 * What the enhancer's packs (prompt-llm, image-captioner) share when they open: pack.json read and
 * its pipeline checked, the tokenizer.json it names verified and loaded, and graphs read, verified
 * against pack.json's sizes and hashes and opened one at a time (outputs on the CPU).
 */
import { EngineError } from '../errors';
import type { PackSource } from '../pack/pack-source';
import { verifyFile } from '../pack/pack-source';
import { type Backend, type OrtModule, type OrtSession, sessionOptions } from '../runtime';
import type { Tokenizer } from '@huggingface/tokenizers';
import { loadTokenizer } from '../text/tokenize';

const decoder = new TextDecoder();

/** A JSON file of a pack, or corrupt-model naming the file. */
export function json(bytes: Uint8Array, file: string, source: PackSource): Record<string, unknown> {
  try {
    return JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;
  } catch (e) {
    throw new EngineError(
      'corrupt-model',
      `${source.label}${file} is not valid JSON (${(e as Error).message}). Re-install the pack.`,
    );
  }
}

/** A file pack.json lists, with the size and hash it pins. */
export interface PinnedFile {
  file: string;
  bytes?: number;
  sha256?: string;
}

/**
 * pack.json of an enhancer pack whose pipeline must be `pipeline` (`kind` names it in the
 * message, `setting` says where the user picks another), and its verified tokenizer.
 */
export async function readEnhancerPack(
  source: PackSource,
  pipeline: string,
  kind: string,
  setting: string,
): Promise<{ manifest: Record<string, unknown>; tokenizer: Tokenizer }> {
  const manifest = json(await source.readBytes('pack.json'), 'pack.json', source);
  if (manifest.pipeline !== pipeline)
    throw new EngineError(
      'invalid-manifest',
      `${source.label} is not ${kind} pack (pipeline is ${String(manifest.pipeline)}, not ${pipeline}). Choose ${setting} in Settings → Prompt enhancer.`,
    );
  const tok = manifest.tokenizer as { file?: unknown; bytes?: number; sha256?: string } | undefined;
  if (!tok || typeof tok.file !== 'string')
    throw new EngineError(
      'invalid-manifest',
      `${source.label}pack.json has no tokenizer.file. Fix the pack's pack.json.`,
    );
  const tokBytes = await source.readBytes(tok.file);
  await verifyFile(tok.file, tokBytes, tok);
  return { manifest, tokenizer: loadTokenizer(json(tokBytes, tok.file, source), 1 << 20) };
}

/** One graph of the pack, read, verified and opened on `backend` with its outputs on the CPU. */
export async function openVerifiedGraph(
  ort: OrtModule,
  source: PackSource,
  backend: Backend,
  graph: PinnedFile,
): Promise<OrtSession> {
  const bytes = await source.readBytes(graph.file);
  await verifyFile(graph.file, bytes, graph);
  return ort.InferenceSession.create(bytes, sessionOptions(backend, false));
}
