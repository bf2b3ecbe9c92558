/**
 * Install-time graph check: before a downloaded or imported pack is marked installed, every ONNX
 * graph is inspected (without creating a session) for the tensor names pack.json maps and for
 * the external-data files it references. Storage hands in a reader, so this stays pure.
 */
import { EngineError } from '../errors';
import { checkGraphContract, inspectOnnx, type OnnxInfo } from '../onnx/inspect';
import type { GraphContract } from './pack-files';

/** Random access to the files of a pack being installed. */
export interface PackFileReader {
  /** Size in bytes, or undefined when the pack has no such file. */
  size(path: string): Promise<number | undefined>;
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
}

/** `loc` (as recorded in a graph) relative to the folder of `graph`, normalised; undefined if it leaves the pack. */
export function resolveBeside(graph: string, loc: string): string | undefined {
  const parts = graph.split('/').slice(0, -1);
  for (const p of loc.replace(/\\/g, '/').split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (!parts.length) return undefined;
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

/**
 * Checks every graph against its contract; throws EngineError('invalid-manifest') naming each
 * graph and the tensor or file that is wrong. A graph file the pack lacks is 'missing-file'.
 */
export async function verifyGraphs(contracts: GraphContract[], files: PackFileReader): Promise<void> {
  const problems: string[] = [];
  for (const contract of contracts) {
    const size = await files.size(contract.file);
    if (size === undefined) throw new EngineError('missing-file', `The pack has no ${contract.file}, which pack.json lists. Add the file (or fix pack.json) and install again.`);
    let info: OnnxInfo;
    try {
      info = await inspectOnnx((offset, length) => files.read(contract.file, offset, length), size);
    } catch (err) {
      throw new EngineError('corrupt-model', `${contract.file} could not be read as an ONNX graph (${(err as Error).message}). The file may be corrupt; install the pack again.`);
    }
    problems.push(...checkGraphContract(contract.file, contract, info));
    for (const loc of new Set([...info.externalData, ...contract.externalData])) {
      const path = resolveBeside(contract.file, loc);
      if (path === undefined) problems.push(`${contract.file} points at external data "${loc}" outside the pack`);
      else if ((await files.size(path)) === undefined) problems.push(`${contract.file} needs external data file ${path}, which the pack does not contain`);
    }
  }
  if (problems.length) throw new EngineError('invalid-manifest', `The pack does not match its pack.json: ${problems.map((p) => p.replace(/\.+$/, '')).join('; ')}. Fix the names and file list in pack.json, then install again.`);
}
