/**
 * What prompt enhancement adds to a task before it runs, for check and dry-run: the local
 * enhancer packs the mode needs (Text: the LLM; Image: captioner, then LLM; Text and image: both),
 * their download size from the registry, and their GPU/CPU peak. The captioner is released before
 * the LLM opens, so the enhancer's peak is the larger of the two, not their sum.
 */
import type { RegistryEntry } from '../pack/registry';
import type { EnhanceMode } from './provider';

/** The local provider's packs when Settings name none (the registry's real enhancer packs). */
export const DEFAULT_ENHANCER_PACKS = { llm: 'qwen2.5-0.5b-instruct', captioner: 'florence-2-base-ft' };

export interface EnhancerPackCost {
  id: string;
  role: 'llm' | 'captioner';
  /** Bytes to download (0 when bundled or unknown); see `bytesApprox` and `unknownSizes`. */
  downloadBytes: number;
  bytesApprox: boolean;
  unknownSizes: number;
  peakGpuBytes?: number;
  peakCpuBytes?: number;
}

export interface EnhancerCost {
  mode: EnhanceMode;
  packs: EnhancerPackCost[];
  downloadBytes: number;
  /** The larger pack's peak: the captioner's sessions go before the LLM's open. */
  peakGpuBytes: number;
  peakCpuBytes: number;
  /** Pack ids the registry does not know (their size and memory are not counted). */
  unknown: string[];
}

/** The enhancer's cost for `mode` with packs `ids`, or undefined when the task does not enhance. */
export function enhancerCost(
  mode: EnhanceMode | undefined,
  registry: readonly RegistryEntry[],
  ids = DEFAULT_ENHANCER_PACKS,
): EnhancerCost | undefined {
  if (!mode || mode === 'off') return undefined;
  const roles: ('llm' | 'captioner')[] = mode === 'text' ? ['llm'] : ['captioner', 'llm'];
  const packs: EnhancerPackCost[] = [];
  const unknown: string[] = [];
  for (const role of roles) {
    const e = registry.find((x) => x.id === ids[role]);
    if (!e) {
      unknown.push(ids[role]);
      continue;
    }
    packs.push({
      id: e.id,
      role,
      downloadBytes: e.bytes,
      bytesApprox: e.bytesApprox,
      unknownSizes: e.unknownSizes,
      ...(e.requirements
        ? { peakGpuBytes: e.requirements.peakGpuBytes, peakCpuBytes: e.requirements.peakCpuBytes }
        : {}),
    });
  }
  const max = (k: 'peakGpuBytes' | 'peakCpuBytes') => Math.max(0, ...packs.map((p) => p[k] ?? 0));
  return {
    mode,
    packs,
    downloadBytes: packs.reduce((a, p) => a + p.downloadBytes, 0),
    peakGpuBytes: max('peakGpuBytes'),
    peakCpuBytes: max('peakCpuBytes'),
    unknown,
  };
}
