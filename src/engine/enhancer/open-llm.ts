/**
 * Opens an installed prompt-enhancer LLM pack from a PackSource: pack.json's `llm` section, the
 * tokenizer.json and the graph, each checked against the sizes and hashes pack.json lists, and
 * one session on the chosen backend (outputs on the CPU: the loop reads every step's logits).
 */
import type { PackSource } from '../pack/pack-source';
import type { Backend, OrtModule } from '../runtime';
import { openVerifiedGraph, readEnhancerPack } from './enhancer-pack';
import { parseLlmSpec } from './llm-spec';
import type { LocalLlm } from './local-llm';

export async function openLlmPack(ort: OrtModule, source: PackSource, backend: Backend): Promise<LocalLlm> {
  const { manifest, tokenizer } = await readEnhancerPack(
    source,
    'prompt-llm',
    'a prompt-enhancer LLM',
    'an LLM pack',
  );
  const spec = parseLlmSpec(manifest.llm);
  const session = await openVerifiedGraph(ort, source, backend, spec);
  return { spec, tokenizer, session };
}
