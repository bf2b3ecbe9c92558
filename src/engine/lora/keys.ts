/**
 * LoRA key normalisation: the naming conventions people publish are mapped onto one module path
 * (e.g. "blocks.0.ffn.0") and a part (up, down, alpha, diff, diff_b). Accepted: the prefixes
 * `diffusion_model.`, `transformer.`, `model.`, `base_model.model.` (PEFT); `lora_A`/`lora_B`
 * (diffusers/PEFT, with or without `.default.`), `lora_down`/`lora_up` (+ `.alpha`), `.diff`/
 * `.diff_b` (full deltas); kohya `lora_unet_blocks_0_ffn_0` names, whose underscores are mapped
 * back to dots by matching against the pack's known module names. Keys that match no module are
 * returned, never dropped.
 */

export type LoraPart = 'up' | 'down' | 'alpha' | 'diff' | 'diff_b' | LycorisPart | 'dora_scale';
/** LyCORIS LoHa (Hadamard product of two low-rank pairs) and LoKr (Kronecker product) tensors. */
export const LYCORIS_PARTS = [
  'hada_w1_a',
  'hada_w1_b',
  'hada_w2_a',
  'hada_w2_b',
  'lokr_w1',
  'lokr_w1_a',
  'lokr_w1_b',
  'lokr_w2',
  'lokr_w2_a',
  'lokr_w2_b',
] as const;
export type LycorisPart = (typeof LYCORIS_PARTS)[number];

/** The LoRA tensors aimed at one module. */
export interface ModuleKeys {
  up?: string;
  down?: string;
  alpha?: string;
  diff?: string;
  diffBias?: string;
  /** DoRA magnitude vector (`.dora_scale`, PEFT `.lora_magnitude_vector`). */
  doraScale?: string;
  lycoris?: Partial<Record<LycorisPart, string>>;
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
  [/\.dora_scale$/, 'dora_scale'],
  [/\.lora_magnitude_vector(?:\.default)?(?:\.weight)?$/, 'dora_scale'],
  ...LYCORIS_PARTS.map((p): [RegExp, LoraPart] => [new RegExp(`\\.${p}$`), p]),
];
const KOHYA = /^(?:lora|lycoris)_(?:unet|transformer|te)_|^lycoris_/;
const FIELD: Record<
  'up' | 'down' | 'alpha' | 'diff' | 'diff_b' | 'dora_scale',
  Exclude<keyof ModuleKeys, 'lycoris'>
> = { up: 'up', down: 'down', alpha: 'alpha', diff: 'diff', diff_b: 'diffBias', dora_scale: 'doraScale' };

/** Which kind of update a module's keys make: low-rank LoRA, LoHa, LoKr, or a full delta. */
export function moduleFormat(k: ModuleKeys): 'lora' | 'loha' | 'lokr' | 'diff' | undefined {
  const l = k.lycoris ?? {};
  if (l.hada_w1_a && l.hada_w1_b && l.hada_w2_a && l.hada_w2_b) return 'loha';
  if ((l.lokr_w1 || (l.lokr_w1_a && l.lokr_w1_b)) && (l.lokr_w2 || (l.lokr_w2_a && l.lokr_w2_b)))
    return 'lokr';
  if (k.up && k.down) return 'lora';
  return k.diff ? 'diff' : undefined;
}

/** Splits a tensor key into its raw module path (prefixes removed) and part; undefined for an unknown part. */
export function splitKey(key: string): { module: string; part: LoraPart } | undefined {
  for (const [suffix, part] of SUFFIXES) {
    const m = suffix.exec(key);
    if (!m) continue;
    let module = key.slice(0, m.index);
    for (let again = true; again;) {
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
export function resolveModule(
  raw: string,
  known: ReadonlySet<string>,
  kohya: ReadonlyMap<string, string>,
): string | undefined {
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
    if ((LYCORIS_PARTS as readonly string[]).includes(split.part))
      entry.lycoris = { ...entry.lycoris, [split.part]: key };
    else entry[FIELD[split.part as keyof typeof FIELD]] = key;
    modules.set(module, entry);
  }
  // A low-rank pair (or LoHa/LoKr set) needs all its parts; lone parts (a lone alpha or DoRA scale) cannot be applied.
  for (const [module, k] of modules) {
    const format = moduleFormat(k);
    const lyco = format === 'loha' || format === 'lokr';
    const lowRank = format === 'lora' || lyco;
    const drop = [
      ...(lyco ? [] : Object.values(k.lycoris ?? {})),
      ...(format === 'lora' ? [] : [k.up, k.down]),
      ...(lowRank ? [] : [k.alpha, k.doraScale]),
    ].filter((x): x is string => x !== undefined);
    unmatched.push(...drop);
    if (!lyco) delete k.lycoris;
    if (format !== 'lora') {
      delete k.up;
      delete k.down;
    }
    if (!lowRank) {
      delete k.alpha;
      delete k.doraScale;
    }
    if (!lowRank && !k.diff && !k.diffBias) modules.delete(module);
  }
  return { modules, unmatched };
}

/** Number of tensor keys mapped onto modules. */
export function matchedKeyCount(mapping: KeyMapping): number {
  let n = 0;
  for (const k of mapping.modules.values()) n += Object.keys(k).length;
  return n;
}
