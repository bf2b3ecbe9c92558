/**
 * Side branches added to a copy of an ONNX graph: for a node whose weight is quantized
 * (MatMulNBits), its output y becomes y·c + (x·D)·U + x·F with D = Aᵀ [K, R] and U [R, N] (LoRA
 * scale and multiplier already folded into U), an optional full delta F = ΔWᵀ [K, N] (LyCORIS
 * products with no smaller factorisation) and an optional per-output scale c [N] (DoRA), all
 * written as new initializers. The node is re-emitted with its output renamed; every other byte of
 * the graph is copied unchanged, and the 4-bit weight is never de-quantised. Several LoRAs on one
 * node arrive concatenated along R.
 */
import { concatBytes } from '../bytes';
import { EngineError } from '../errors';
import { GraphBuilder, type ElemType } from './graph-builder';
import { f32ToF16Bits } from '../runtime';
import { ProtoWriter } from './protobuf';
import { WireReader } from './wire-reader';

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE = { input: 1, output: 2, name: 3 } as const;

/** The branch for one node: `down` [K, R] (Aᵀ), `up` [R, N] (R may be 0), in `type` (the node's activation type). */
export interface SideBranch {
  down: Float32Array;
  up: Float32Array;
  K: number;
  N: number;
  rank: number;
  /** A full delta ΔWᵀ [K, N] added as x·F. */
  full?: Float32Array;
  /** A per-output scale [N] of the node's own output (DoRA). */
  baseScale?: Float32Array;
  type: 'float32' | 'float16';
}

const tagLength = (field: number) => (field < 16 ? 1 : field < 2048 ? 2 : 3);

interface Field {
  field: number;
  start: number;
  end: number;
}

/** The fields of the message [from, to), with their byte ranges (tag included). */
async function fieldsOf(r: WireReader, from: number, to: number): Promise<Field[]> {
  r.pos = from;
  const out: Field[] = [];
  await r.fields(to, async (field, wire) => {
    const start = r.pos - tagLength(field);
    await r.skip(wire, to);
    out.push({ field, start, end: r.pos });
    return true;
  });
  return out;
}

/** Content range of a length-delimited field (after its tag and length). */
async function contentOf(r: WireReader, f: Field): Promise<[number, number]> {
  r.pos = f.start + tagLength(f.field);
  const end = await r.bytesEnd(f.end);
  return [r.pos, end];
}

async function stringAt(r: WireReader, bytes: Uint8Array, f: Field): Promise<string> {
  const [a, b] = await contentOf(r, f);
  return new TextDecoder().decode(bytes.subarray(a, b));
}

/** The graph bytes with `branches` (by node name) added; throws when a node is missing. */
export async function addSideBranches(
  bytes: Uint8Array,
  branches: ReadonlyMap<string, SideBranch>,
  file: string,
): Promise<Uint8Array> {
  const fail = (detail: string): never => {
    throw new EngineError(
      'corrupt-model',
      `${file} could not be read to add LoRA branches: ${detail}. Re-install the pack.`,
    );
  };
  const r = new WireReader(async (o, n) => bytes.subarray(o, o + n), bytes.byteLength, fail);
  const model = await fieldsOf(r, 0, bytes.byteLength);
  const graph = model.find((f) => f.field === MODEL_GRAPH) ?? fail('it has no graph');
  const [gStart, gEnd] = await contentOf(r, graph);
  const pieces: Uint8Array[] = [];
  const extra = new GraphBuilder('lora');
  const done = new Set<string>();
  for (const f of await fieldsOf(r, gStart, gEnd)) {
    if (f.field !== GRAPH_NODE) {
      pieces.push(bytes.subarray(f.start, f.end));
      continue;
    }
    const [nStart, nEnd] = await contentOf(r, f);
    const nodeFields = await fieldsOf(r, nStart, nEnd);
    const nameField = nodeFields.find((x) => x.field === NODE.name);
    const name = nameField ? await stringAt(r, bytes, nameField) : '';
    const branch = branches.get(name);
    if (!branch) {
      pieces.push(bytes.subarray(f.start, f.end));
      continue;
    }
    const inputs = nodeFields.filter((x) => x.field === NODE.input);
    const output = nodeFields.find((x) => x.field === NODE.output);
    if (!inputs[0] || !output) fail(`node "${name}" has no input or output`);
    const [x, y] = [await stringAt(r, bytes, inputs[0] as Field), await stringAt(r, bytes, output as Field)];
    // MatMulNBits input 5 is a bias: a DoRA scale on the node's output would scale it too.
    if (branch.baseScale && inputs[5] && (await stringAt(r, bytes, inputs[5])))
      throw new EngineError(
        'invalid-lora',
        `A DoRA LoRA changes node "${name}" of ${file}, whose quantized MatMul adds its own bias, so the DoRA scale cannot be applied there. Use a plain LoRA for this model.`,
      );
    const base = `${y}/lora_base`;
    const node = new ProtoWriter();
    for (const nf of nodeFields) {
      if (nf === output) node.string(NODE.output, base);
      else node.raw(bytes.subarray(nf.start, nf.end));
    }
    pieces.push(new ProtoWriter().bytes(GRAPH_NODE, node.finish()).finish());
    const type: ElemType = branch.type;
    const tensor = (v: Float32Array) => (type === 'float16' ? f32ToF16Bits(v) : v);
    // Value and node names are derived from the node's own name, so they cannot meet the graph's.
    const named = (op: string, inputs: string[], out: string) =>
      extra.node(op, inputs, [`${name}/${out}`], {}, { name: `${name}/${out}_${op.toLowerCase()}` });
    const parts: string[] = [base];
    if (branch.baseScale) {
      const c = extra.initializer(`${name}/lora_base_scale`, type, [branch.N], tensor(branch.baseScale));
      named('Mul', [base, c], 'lora_scaled');
      parts[0] = `${name}/lora_scaled`;
    }
    if (branch.rank > 0) {
      const down = extra.initializer(`${name}/lora_down`, type, [branch.K, branch.rank], tensor(branch.down));
      const up = extra.initializer(`${name}/lora_up`, type, [branch.rank, branch.N], tensor(branch.up));
      named('MatMul', [x, down], 'lora_mid');
      named('MatMul', [`${name}/lora_mid`, up], 'lora_delta');
      parts.push(`${name}/lora_delta`);
    }
    if (branch.full) {
      const full = extra.initializer(`${name}/lora_full`, type, [branch.K, branch.N], tensor(branch.full));
      named('MatMul', [x, full], 'lora_full_delta');
      parts.push(`${name}/lora_full_delta`);
    }
    // Chained Adds rather than one Sum: every execution provider has Add on the GPU.
    if (parts.length === 1) extra.node('Identity', parts, [y], {}, { name: `${name}/lora_identity` });
    parts.slice(1).forEach((part, i) => {
      const out = i === parts.length - 2 ? y : `${name}/lora_sum_${i}`;
      extra.node(
        'Add',
        [i === 0 ? (parts[0] as string) : `${name}/lora_sum_${i - 1}`, part],
        [out],
        {},
        { name: `${name}/lora_add_${i}` },
      );
    });
    done.add(name);
  }
  for (const name of branches.keys())
    if (!done.has(name))
      throw new EngineError(
        'invalid-manifest',
        `A LoRA targets node "${name}", which ${file} does not have. Check components.transformer.lora in pack.json.`,
      );
  const content = concatBytes([...pieces, extra.fragment()]);
  const head = new ProtoWriter().bytes(MODEL_GRAPH, content).finish();
  return concatBytes([bytes.subarray(0, graph.start), head, bytes.subarray(graph.end)]);
}
