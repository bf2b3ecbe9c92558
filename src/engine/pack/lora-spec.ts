/**
 * The optional `lora` block of a pack's transformer: the LoRA family it accepts (LoRAs are listed
 * for packs of their family) and, per module name as LoRA files spell it ("blocks.0.ffn.0"), the
 * ONNX initializer holding that module's weight, its layout ("in-out": a MatMul weight [in, out];
 * "out-in": PyTorch's Linear layout [out, in]), optionally its bias initializer, and — for a
 * block-streamed transformer whose stages reuse initializer names — the stage graph `file` that
 * holds it. Instead of (or beside) listing targets, `rules` derive module names from the
 * transformer graphs' targetable weights (see lora/derive-targets.ts).
 */
import type { NBitsInfo } from '../onnx/graph-weights';
import { FieldErrors } from './validate-helpers';

export const LORA_LAYOUTS = ['in-out', 'out-in'] as const;
export type LoraLayout = (typeof LORA_LAYOUTS)[number];

export interface LoraTarget {
  initializer: string;
  layout: LoraLayout;
  bias?: string;
  /** The graph holding the initializer (a stage file); absent: any graph of the transformer that has it. */
  file?: string;
  /** Set for a quantized (MatMulNBits) weight: applied as a low-rank side branch, never merged. */
  nbits?: NBitsInfo;
  /** The node that consumes the weight (derived targets). */
  node?: string;
}

/**
 * A rule naming graph weights as LoRA modules: the weight's initializer (or node) name must start
 * with `prefix`, end with `suffix` (both stripped) and match `regex`; `module` is the module name,
 * with `$&` (the stripped name or the regex match), `$1`…`$9` (regex groups) and `{f1}`…`{f9}`
 * (groups of `file`, a regex the graph file must match; numbers lose leading zeros); `/` in the
 * result becomes `.` (node scopes to module paths).
 */
export interface LoraRule {
  match: 'initializer' | 'node';
  prefix?: string;
  suffix?: string;
  regex?: string;
  file?: string;
  module: string;
}

/** A target's identity: initializer names only need to be unique within one graph file. */
export function targetKey(t: Pick<LoraTarget, 'file'>, initializer: string): string {
  return `${t.file ?? ''}|${initializer}`;
}

export interface LoraSpec {
  family: string;
  targets: Record<string, LoraTarget>;
  rules?: LoraRule[];
}

const RULE_KEYS = ['match', 'prefix', 'suffix', 'regex', 'file', 'module'];

function regexError(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (err) {
    return `is not a valid regular expression (${(err as Error).message})`;
  }
}

function parseRules(e: FieldErrors, v: unknown, path: string): LoraRule[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.length) {
    e.add(
      path,
      'must be a non-empty list of rules ({ "prefix", "suffix", "regex", "file", "module", "match" })',
    );
    return undefined;
  }
  return v.map((raw, k) => {
    const at = `${path}[${k}]`;
    const x = e.object(raw, at) ?? {};
    for (const key of Object.keys(x))
      if (!RULE_KEYS.includes(key))
        e.add(`${at}.${key}`, `unknown field. Should be one of: ${RULE_KEYS.join(', ')}`);
    const match = (e.string(x.match, `${at}.match`, { optional: true, oneOf: ['initializer', 'node'] }) ??
      'initializer') as LoraRule['match'];
    const [prefix, suffix, regex, file] = (['prefix', 'suffix', 'regex', 'file'] as const).map((f) =>
      e.string(x[f], `${at}.${f}`, { optional: true }),
    );
    for (const [f, src] of [
      ['regex', regex],
      ['file', file],
    ] as const) {
      const bad = src === undefined ? undefined : regexError(src);
      if (bad) e.add(`${at}.${f}`, bad);
    }
    if (prefix === undefined && suffix === undefined && regex === undefined)
      e.add(at, 'needs at least one of prefix, suffix, regex');
    const module = e.string(x.module, `${at}.module`, { optional: true }) ?? '$&';
    return {
      match,
      module,
      ...(prefix !== undefined ? { prefix } : {}),
      ...(suffix !== undefined ? { suffix } : {}),
      ...(regex !== undefined ? { regex } : {}),
      ...(file !== undefined ? { file } : {}),
    };
  });
}

/** Parses `components.transformer.lora` (absent: the pack takes no LoRAs). */
export function parseLoraSpec(e: FieldErrors, v: unknown, path: string): LoraSpec | undefined {
  if (v === undefined) return undefined;
  const o = e.object(v, path) ?? {};
  const family = e.string(o.family, `${path}.family`) ?? '';
  for (const key of Object.keys(o))
    if (!['family', 'targets', 'rules'].includes(key))
      e.add(`${path}.${key}`, 'unknown field. Should be one of: family, targets, rules');
  const rules = parseRules(e, o.rules, `${path}.rules`);
  if (o.targets === undefined && o.rules === undefined)
    e.add(`${path}.targets`, 'give targets, rules, or both');
  const raw = o.targets === undefined ? {} : (e.object(o.targets, `${path}.targets`) ?? {});
  if (o.targets !== undefined && !Object.keys(raw).length)
    e.add(`${path}.targets`, 'must list at least one module');
  const targets: Record<string, LoraTarget> = {};
  const seen = new Map<string, string>();
  for (const [module, t] of Object.entries(raw)) {
    const at = `${path}.targets.${module}`;
    const x = e.object(t, at) ?? {};
    const initializer = e.string(x.initializer, `${at}.initializer`);
    const layout = e.string(x.layout, `${at}.layout`, { oneOf: LORA_LAYOUTS }) as LoraLayout | undefined;
    const bias = e.string(x.bias, `${at}.bias`, { optional: true });
    const file = e.string(x.file, `${at}.file`, { optional: true });
    for (const key of Object.keys(x))
      if (!['initializer', 'layout', 'bias', 'file'].includes(key))
        e.add(`${at}.${key}`, 'unknown field. Should be one of: initializer, layout, bias, file');
    const key = initializer && targetKey({ file }, initializer);
    if (key && seen.has(key))
      e.add(
        `${at}.initializer`,
        `"${initializer}"${file ? ` in ${file}` : ''} is already the target of module "${seen.get(key)}"`,
      );
    if (key) seen.set(key, module);
    if (initializer && layout)
      targets[module] = { initializer, layout, ...(bias ? { bias } : {}), ...(file ? { file } : {}) };
  }
  return { family, targets, ...(rules ? { rules } : {}) };
}
