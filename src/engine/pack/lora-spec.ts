/**
 * The optional `lora` block of a pack's transformer: the LoRA family it accepts (LoRAs are listed
 * for packs of their family) and, per module name as LoRA files spell it ("blocks.0.ffn.0"), the
 * ONNX initializer holding that module's weight, its layout ("in-out": a MatMul weight [in, out];
 * "out-in": PyTorch's Linear layout [out, in]), optionally its bias initializer, and — for a
 * block-streamed transformer whose stages reuse initializer names — the stage graph `file` that
 * holds it.
 */
import { FieldErrors } from './validate-helpers';

export const LORA_LAYOUTS = ['in-out', 'out-in'] as const;
export type LoraLayout = (typeof LORA_LAYOUTS)[number];

export interface LoraTarget {
  initializer: string;
  layout: LoraLayout;
  bias?: string;
  /** The graph holding the initializer (a stage file); absent: any graph of the transformer that has it. */
  file?: string;
}

/** A target's identity: initializer names only need to be unique within one graph file. */
export function targetKey(t: Pick<LoraTarget, 'file'>, initializer: string): string {
  return `${t.file ?? ''}|${initializer}`;
}

export interface LoraSpec {
  family: string;
  targets: Record<string, LoraTarget>;
}

/** Parses `components.transformer.lora` (absent: the pack takes no LoRAs). */
export function parseLoraSpec(e: FieldErrors, v: unknown, path: string): LoraSpec | undefined {
  if (v === undefined) return undefined;
  const o = e.object(v, path) ?? {};
  const family = e.string(o.family, `${path}.family`) ?? '';
  const raw = e.object(o.targets, `${path}.targets`) ?? {};
  if (o.targets !== undefined && !Object.keys(raw).length) e.add(`${path}.targets`, 'must list at least one module');
  const targets: Record<string, LoraTarget> = {};
  const seen = new Map<string, string>();
  for (const [module, t] of Object.entries(raw)) {
    const at = `${path}.targets.${module}`;
    const x = e.object(t, at) ?? {};
    const initializer = e.string(x.initializer, `${at}.initializer`);
    const layout = e.string(x.layout, `${at}.layout`, { oneOf: LORA_LAYOUTS }) as LoraLayout | undefined;
    const bias = e.string(x.bias, `${at}.bias`, { optional: true });
    const file = e.string(x.file, `${at}.file`, { optional: true });
    for (const key of Object.keys(x)) if (!['initializer', 'layout', 'bias', 'file'].includes(key)) e.add(`${at}.${key}`, 'unknown field. Should be one of: initializer, layout, bias, file');
    const key = initializer && targetKey({ file }, initializer);
    if (key && seen.has(key)) e.add(`${at}.initializer`, `"${initializer}"${file ? ` in ${file}` : ''} is already the target of module "${seen.get(key)}"`);
    if (key) seen.set(key, module);
    if (initializer && layout) targets[module] = { initializer, layout, ...(bias ? { bias } : {}), ...(file ? { file } : {}) };
  }
  return { family, targets };
}
