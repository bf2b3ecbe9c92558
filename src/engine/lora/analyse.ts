/**
 * What the LoRA library shows for a file: its rank, the pack family it targets (the pack whose
 * LoRA modules match most of its keys), and the matched and unmatched keys against that pack.
 */
import type { LoraSpec } from '../pack/lora-spec';
import { mapKeys, matchedKeyCount } from './keys';
import type { SafetensorsHeader } from './safetensors';

export interface LoraSummary {
  /** Rank of the low-rank pairs (largest seen); 0 for a file with only full deltas. */
  rank: number;
  /** Family of the best-matching pack; undefined when no pack matches a key. */
  family?: string;
  packId?: string;
  matched: number;
  unmatched: string[];
}

/** A pack that takes LoRAs: its id and transformer `lora` block. */
export interface LoraPack {
  packId: string;
  lora: LoraSpec;
}

export function summariseLora(header: SafetensorsHeader, packs: readonly LoraPack[]): LoraSummary {
  const keys = header.tensors.map((t) => t.name);
  const rank = Math.max(0, ...header.tensors.filter((t) => /lora_(A|down)/.test(t.name)).map((t) => t.shape[0] ?? 0));
  let best: LoraSummary = { rank, matched: 0, unmatched: keys };
  for (const p of packs) {
    const mapping = mapKeys(keys, Object.keys(p.lora.targets));
    const matched = matchedKeyCount(mapping);
    if (matched > best.matched) best = { rank, family: p.lora.family, packId: p.packId, matched, unmatched: mapping.unmatched };
  }
  return best;
}
