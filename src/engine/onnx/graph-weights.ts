/**
 * The weights of an ONNX graph that a LoRA can target, read without loading them: float
 * initializers that feed a MatMul (`[in, out]`) or Gemm (`[out, in]` with transB) as its second
 * input, and the 4-bit weights of com.microsoft MatMulNBits nodes (B `[N, K/block, block·bits/8]`
 * with its scales and zero points). Nodes and initializer headers are walked with the streaming
 * wire reader; raw data is jumped over, so a multi-GB graph costs only its metadata.
 */
import { EngineError } from '../errors';
import { type InitializerLocation, isMergeableType, readTensorLocation } from './initializers';
import { type ReadAt, Wire, WireReader } from './wire-reader';

const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTR = { name: 1, i: 3 } as const;
const MAX_STRING = 64 * 1024;

/** A node as far as LoRA targeting needs it: names, op and integer attributes. */
export interface GraphNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  ints: Record<string, number>;
}

/** MatMulNBits parameters of a quantized weight (com.microsoft contrib op). */
export interface NBitsInfo {
  scales: string;
  zeroPoints?: string;
  K: number;
  N: number;
  bits: number;
  blockSize: number;
}

/** A weight a LoRA can change: `layout` of a float weight, or `nbits` for a quantized one (layout then out-in). */
export interface GraphWeight {
  initializer: string;
  /** The node consuming it as its weight input. */
  node: string;
  layout: 'in-out' | 'out-in';
  dims: number[];
  dataType: number;
  nbits?: NBitsInfo;
}

async function readNode(r: WireReader, end: number): Promise<GraphNode> {
  const n: GraphNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], ints: {} };
  await r.fields(end, async (field, wire) => {
    if (field === NODE.input) n.inputs.push(await r.text(field, wire, end, MAX_STRING));
    else if (field === NODE.output) n.outputs.push(await r.text(field, wire, end, MAX_STRING));
    else if (field === NODE.name) n.name = await r.text(field, wire, end, MAX_STRING);
    else if (field === NODE.opType) n.opType = await r.text(field, wire, end, MAX_STRING);
    else if (field === NODE.domain) n.domain = await r.text(field, wire, end, MAX_STRING);
    else if (field === NODE.attribute) {
      const attrEnd = await r.message(field, wire, end);
      let name = '';
      let value: number | undefined;
      await r.fields(attrEnd, async (f, w) => {
        if (f === ATTR.name) name = await r.text(f, w, attrEnd, MAX_STRING);
        else if (f === ATTR.i && w === Wire.Varint) value = await r.int64(attrEnd);
        else return false;
        return true;
      });
      if (value !== undefined) n.ints[name] = value;
    } else return false;
    return true;
  });
  return n;
}

/** Every node and initializer header of the graph behind `read` (`size` bytes). */
export async function readGraphStructure(
  read: ReadAt,
  size: number,
  file: string,
): Promise<{ nodes: GraphNode[]; initializers: Map<string, InitializerLocation> }> {
  const fail = (detail: string): never => {
    throw new EngineError(
      'corrupt-model',
      `${file} could not be read for LoRA targets: ${detail}. Re-install the pack.`,
    );
  };
  const r = new WireReader(read, size, fail);
  const nodes: GraphNode[] = [];
  const initializers = new Map<string, InitializerLocation>();
  await r.fields(size, async (field, wire) => {
    if (field !== MODEL_GRAPH) return false;
    const end = await r.message(field, wire, size);
    await r.fields(end, async (f, w) => {
      if (f === GRAPH.node) nodes.push(await readNode(r, await r.message(f, w, end)));
      else if (f === GRAPH.initializer) {
        const t = await readTensorLocation(r, await r.message(f, w, end));
        initializers.set(t.name, t);
      } else return false;
      return true;
    });
    return true;
  });
  return { nodes, initializers };
}

/** The LoRA-targetable weights of a graph, in node order (each initializer once). */
export async function graphWeights(read: ReadAt, size: number, file: string): Promise<GraphWeight[]> {
  const { nodes, initializers } = await readGraphStructure(read, size, file);
  const out = new Map<string, GraphWeight>();
  for (const n of nodes) {
    const name = n.inputs[1];
    const init = name === undefined ? undefined : initializers.get(name);
    if (!init || out.has(init.name)) continue;
    const base = { initializer: init.name, node: n.name, dims: init.dims, dataType: init.dataType };
    if (n.opType === 'MatMulNBits' && n.domain === 'com.microsoft') {
      const [K, N, bits, blockSize] = [n.ints.K, n.ints.N, n.ints.bits ?? 4, n.ints.block_size];
      const scales = n.inputs[2];
      if (K === undefined || N === undefined || blockSize === undefined || !scales)
        fail(file, `MatMulNBits node "${n.name}" lacks K, N, block_size or scales`);
      const zeroPoints = n.inputs[3] || undefined;
      out.set(init.name, {
        ...base,
        layout: 'out-in',
        nbits: { scales, ...(zeroPoints ? { zeroPoints } : {}), K, N, bits, blockSize },
      });
    } else if (
      (n.opType === 'MatMul' || n.opType === 'Gemm') &&
      n.domain === '' &&
      init.dims.length === 2 &&
      isMergeableType(init.dataType)
    ) {
      if (n.opType === 'Gemm' && n.ints.transA) continue;
      out.set(init.name, { ...base, layout: n.opType === 'Gemm' && n.ints.transB ? 'out-in' : 'in-out' });
    }
  }
  return [...out.values()];
}

function fail(file: string, detail: string): never {
  throw new EngineError(
    'corrupt-model',
    `${file} could not be read for LoRA targets: ${detail}. Re-export the model.`,
  );
}
