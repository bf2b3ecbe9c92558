/**
 * PLACEHOLDER until the ONNX inspector lands (another branch writes the real one): reads a
 * graph's inputs, outputs and external-data locations from its protobuf without creating a
 * session. `inspectOnnx` throws 'not implemented' here, which the install-time graph check
 * (pack/verify-graphs.ts) treats as "skip the check"; the real module replaces this file at merge.
 */
import type { GraphContract } from '../pack/pack-files';

/** Inputs, outputs (name, element type, dims with symbolic names as strings) and external-data files of a graph. */
export type OnnxInfo = {
  inputs: { name: string; type: string; dims: (number | string)[] }[];
  outputs: { name: string; type: string; dims: (number | string)[] }[];
  externalData: string[];
};

/** Reads an ONNX graph's interface through `read(offset, length)` over a file of `size` bytes. */
export async function inspectOnnx(_read: (offset: number, length: number) => Promise<Uint8Array>, _size: number): Promise<OnnxInfo> {
  throw new Error('not implemented');
}

/** Problems (empty = ok) between what the manifest expects of `file` and what the graph has. */
export function checkGraphContract(file: string, contract: GraphContract, info: OnnxInfo): string[] {
  const problems: string[] = [];
  const check = (kind: 'input' | 'output', want: string[], have: string[]) => {
    for (const name of want) if (!have.includes(name)) problems.push(`${file} has no ${kind} named "${name}" (it has: ${have.join(', ')})`);
  };
  check('input', contract.inputs, info.inputs.map((t) => t.name));
  check('output', contract.outputs, info.outputs.map((t) => t.name));
  return problems;
}
