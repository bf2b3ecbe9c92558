/**
 * Opens an installed prompt-enhancer LLM pack from a PackSource: pack.json's `llm` section, the
 * tokenizer.json and the graph, each checked against the sizes and hashes pack.json lists, and
 * one session on the chosen backend (outputs on the CPU: the loop reads every step's logits).
 */
import { EngineError } from '../errors';
import type { PackSource } from '../pack/pack-source';
import { verifyFile } from '../pack/pack-source';
import { type Backend, type OrtModule, sessionOptions } from '../runtime';
import { loadTokenizer } from '../text/tokenize';
import { parseLlmSpec } from './llm-spec';
import type { LocalLlm } from './local-llm';

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

export async function openLlmPack(ort: OrtModule, source: PackSource, backend: Backend): Promise<LocalLlm> {
  const manifest = json(await source.readBytes('pack.json'), 'pack.json', source);
  if (manifest.pipeline !== 'prompt-llm')
    throw new EngineError(
      'invalid-manifest',
      `${source.label} is not a prompt-enhancer LLM pack (pipeline is ${String(manifest.pipeline)}, not prompt-llm). Choose an LLM pack in Settings → Prompt enhancer.`,
    );
  const spec = parseLlmSpec(manifest.llm);
  const tok = manifest.tokenizer as { file?: unknown; bytes?: number; sha256?: string } | undefined;
  if (!tok || typeof tok.file !== 'string')
    throw new EngineError(
      'invalid-manifest',
      `${source.label}pack.json has no tokenizer.file. Fix the pack's pack.json.`,
    );
  const tokBytes = await source.readBytes(tok.file);
  await verifyFile(tok.file, tokBytes, tok);
  const tokenizer = loadTokenizer(json(tokBytes, tok.file, source), 1 << 20);
  const model = await source.readBytes(spec.file);
  await verifyFile(spec.file, model, spec);
  const session = await ort.InferenceSession.create(model, sessionOptions(backend, false));
  return { spec, tokenizer, session };
}
