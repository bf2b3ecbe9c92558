/**
 * LoRA targets derived from a transformer's graphs (pack.json `lora.rules`): each graph's
 * targetable weights (onnx/graph-weights.ts) are named as LoRA modules by the first rule that
 * matches, so a pack with thousands of weights declares a few rules instead of a target list.
 * Listed `targets` win over derived ones. A rule that names no weight of any graph is reported,
 * so a manifest whose rules drifted from its export fails loudly.
 */
import { EngineError } from '../errors';
import { type GraphWeight, graphWeights } from '../onnx/graph-weights';
import { blobReader } from '../onnx/wire-reader';
import { type ComponentSpec, componentGraphs } from '../pack/components';
import type { LoraRule, LoraSpec, LoraTarget } from '../pack/lora-spec';
import type { PackSource } from '../pack/pack-source';

/** One graph's targetable weights (its node names come with them). */
export interface GraphWeights {
  file: string;
  weights: GraphWeight[];
}

/** The module name rule `rule` gives a weight of graph `file`, or undefined when it does not apply. */
export function ruleModule(rule: LoraRule, file: string, w: GraphWeight): string | undefined {
  let fileGroups: string[] = [];
  if (rule.file !== undefined) {
    const m = new RegExp(rule.file).exec(file);
    if (!m) return undefined;
    fileGroups = m.slice(1).map((g) => (g !== undefined && /^\d+$/.test(g) ? String(Number(g)) : (g ?? '')));
  }
  let name = rule.match === 'node' ? w.node : w.initializer;
  if (rule.prefix !== undefined) {
    if (!name.startsWith(rule.prefix)) return undefined;
    name = name.slice(rule.prefix.length);
  }
  if (rule.suffix !== undefined) {
    if (!name.endsWith(rule.suffix)) return undefined;
    name = name.slice(0, name.length - rule.suffix.length);
  }
  let groups = [name];
  if (rule.regex !== undefined) {
    const m = new RegExp(rule.regex).exec(name);
    if (!m) return undefined;
    groups = m.map((g) => g ?? '');
  }
  return rule.module
    .replace(/\$(&|\d)/g, (_, k: string) => (k === '&' ? groups[0] : groups[Number(k)]) ?? '')
    .replace(/\{f(\d)\}/g, (_, k: string) => fileGroups[Number(k) - 1] ?? '')
    .replace(/\//g, '.'); // node scopes (`/block/attn1/to_q`) become module paths
}

/** The spec with its rules' targets added; `unused` lists the rules (by index) that named nothing. */
export function deriveTargets(
  spec: LoraSpec,
  graphs: readonly GraphWeights[],
): { spec: LoraSpec; unused: number[] } {
  const rules = spec.rules ?? [];
  const used = new Set<number>();
  const derived: Record<string, LoraTarget> = {};
  const listed = new Set(Object.values(spec.targets).map((t) => `${t.file ?? ''}|${t.initializer}`));
  for (const g of graphs) {
    for (const w of g.weights) {
      if (listed.has(`${g.file}|${w.initializer}`) || listed.has(`|${w.initializer}`)) continue;
      for (const [k, rule] of rules.entries()) {
        const module = ruleModule(rule, g.file, w);
        if (module === undefined) continue;
        used.add(k);
        const prev = derived[module];
        if (prev)
          throw new EngineError(
            'invalid-manifest',
            `lora.rules name two weights "${module}" (${prev.initializer} in ${prev.file}, ${w.initializer} in ${g.file}). Make the rules give each weight its own module name (e.g. add {f1} from the file name).`,
          );
        derived[module] = {
          initializer: w.initializer,
          layout: w.layout,
          file: g.file,
          node: w.node,
          ...(w.nbits ? { nbits: w.nbits } : {}),
        };
        break;
      }
    }
  }
  const unused = rules.flatMap((_, k) => (used.has(k) ? [] : [k]));
  return { spec: { ...spec, targets: { ...derived, ...spec.targets } }, unused };
}

/** Reads every graph of `transformer` for targetable weights (streamed: weights are not loaded). */
export async function readTransformerWeights(
  source: PackSource,
  transformer: ComponentSpec,
): Promise<GraphWeights[]> {
  const out: GraphWeights[] = [];
  for (const g of componentGraphs(transformer)) {
    const blob = await source.readBlob(g.file);
    out.push({ file: g.file, weights: await graphWeights(blobReader(blob), blob.size, g.file) });
  }
  return out;
}

/** The transformer's LoRA spec with rule-derived targets (the spec itself when it has no rules). */
export async function resolveLoraSpec(
  source: PackSource,
  transformer: ComponentSpec & { lora?: LoraSpec },
): Promise<LoraSpec | undefined> {
  const spec = transformer.lora;
  if (!spec?.rules) return spec;
  return deriveTargets(spec, await readTransformerWeights(source, transformer)).spec;
}
