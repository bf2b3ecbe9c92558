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
  /** The update kinds in the file: 'LoRA', 'LoHa', 'LoKr', 'DoRA', 'full delta' (joined with ' + '); absent in records imported before formats were read. */
  format?: string;
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
  const rank = Math.max(
    0,
    ...header.tensors
      .filter((t) => /lora_(A|down)|hada_w1_b$|lokr_w[12]_b$/.test(t.name))
      .map((t) => t.shape[0] ?? 0),
  );
  const format = loraFormat(keys);
  let best: LoraSummary = { rank, format, matched: 0, unmatched: keys };
  for (const p of packs) {
    const mapping = mapKeys(keys, Object.keys(p.lora.targets));
    const matched = matchedKeyCount(mapping);
    if (matched > best.matched)
      best = { rank, format, family: p.lora.family, packId: p.packId, matched, unmatched: mapping.unmatched };
  }
  return best;
}

const FORMATS: [string, RegExp][] = [
  ['LoRA', /\.(lora_[AB]|lora_up|lora_down)\b/],
  ['LoHa', /\.hada_w[12]_[ab]$/],
  ['LoKr', /\.lokr_w[12](_[ab])?$/],
  ['DoRA', /\.(dora_scale|lora_magnitude_vector)\b/],
  ['full delta', /\.diff$/],
];

/** The update kinds a file's keys hold (DoRA is a LoRA with magnitudes, so it replaces 'LoRA'). */
export function loraFormat(keys: readonly string[]): string {
  const found = FORMATS.filter(([, re]) => keys.some((k) => re.test(k))).map(([name]) => name);
  const kinds = found.includes('DoRA') ? found.filter((f) => f !== 'LoRA') : found;
  return kinds.join(' + ') || 'unknown';
}
