/**
 * LoRA key normalisation: the naming conventions people publish are mapped onto one module path
 * (e.g. "blocks.0.ffn.0") and a part (up, down, alpha, diff, diff_b). Accepted: the prefixes
 * `diffusion_model.`, `transformer.`, `model.`, `base_model.model.` (PEFT); `lora_A`/`lora_B`
 * (diffusers/PEFT, with or without `.default.`), `lora_down`/`lora_up` (+ `.alpha`), `.diff`/
 * `.diff_b` (full deltas); kohya `lora_unet_blocks_0_ffn_0` names, whose underscores are mapped
 * back to dots by matching against the pack's known module names. Keys that match no module are
 * returned, never dropped.
 */

export type LoraPart = 'up' | 'down' | 'alpha' | 'diff' | 'diff_b';

/** The LoRA tensors aimed at one module. */
export interface ModuleKeys {
  up?: string;
  down?: string;
  alpha?: string;
  diff?: string;
  diffBias?: string;
}

export interface KeyMapping {
  /** Module path → the file's tensor names for it. */
  modules: Map<string, ModuleKeys>;
  /** Keys that name no module of the pack (or a part WebGP does not know). */
  unmatched: string[];
}

const PREFIXES = ['base_model.model.', 'diffusion_model.', 'transformer.', 'model.'];
const SUFFIXES: [RegExp, LoraPart][] = [
  [/\.lora_A(?:\.default)?\.weight$/, 'down'],
  [/\.lora_B(?:\.default)?\.weight$/, 'up'],
  [/\.lora_down\.weight$/, 'down'],
  [/\.lora_up\.weight$/, 'up'],
  [/\.alpha$/, 'alpha'],
  [/\.diff$/, 'diff'],
  [/\.diff_b$/, 'diff_b'],
];
const KOHYA = /^lora_(?:unet|transformer|te)_/;
const FIELD: Record<LoraPart, keyof ModuleKeys> = { up: 'up', down: 'down', alpha: 'alpha', diff: 'diff', diff_b: 'diffBias' };

/** Splits a tensor key into its raw module path (prefixes removed) and part; undefined for an unknown part. */
export function splitKey(key: string): { module: string; part: LoraPart } | undefined {
  for (const [suffix, part] of SUFFIXES) {
    const m = suffix.exec(key);
    if (!m) continue;
    let module = key.slice(0, m.index);
    for (let again = true; again; ) {
      again = false;
      for (const p of PREFIXES) {
        if (module.startsWith(p)) {
          module = module.slice(p.length);
          again = true;
        }
      }
    }
    return { module, part };
  }
  return undefined;
}

/** Resolves a raw module path to one of `known` (exact, or a kohya underscore name). */
export function resolveModule(raw: string, known: ReadonlySet<string>, kohya: ReadonlyMap<string, string>): string | undefined {
  if (known.has(raw)) return raw;
  if (KOHYA.test(raw)) return kohya.get(raw.replace(KOHYA, ''));
  return undefined;
}

/** Maps a LoRA file's tensor keys onto the pack's module names. */
export function mapKeys(keys: readonly string[], knownModules: Iterable<string>): KeyMapping {
  const known = new Set(knownModules);
  const kohya = new Map([...known].map((m) => [m.replace(/\./g, '_'), m]));
  const modules = new Map<string, ModuleKeys>();
  const unmatched: string[] = [];
  for (const key of keys) {
    const split = splitKey(key);
    const module = split && resolveModule(split.module, known, kohya);
    if (!split || !module) {
      unmatched.push(key);
      continue;
    }
    const entry = modules.get(module) ?? {};
    entry[FIELD[split.part]] = key;
    modules.set(module, entry);
  }
  // A low-rank pair needs both halves; a lone half (or a lone alpha) cannot be applied.
  for (const [module, k] of modules) {
    const pairBroken = (k.up === undefined) !== (k.down === undefined) || (k.alpha !== undefined && k.up === undefined);
    if (pairBroken) {
      for (const key of [k.up, k.down, k.alpha]) if (key !== undefined) unmatched.push(key);
      delete k.up;
      delete k.down;
      delete k.alpha;
    }
    if (!k.up && !k.diff && !k.diffBias) modules.delete(module);
  }
  return { modules, unmatched };
}

/** Number of tensor keys mapped onto modules. */
export function matchedKeyCount(mapping: KeyMapping): number {
  let n = 0;
  for (const k of mapping.modules.values()) n += Object.keys(k).length;
  return n;
}
