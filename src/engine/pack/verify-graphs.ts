/**
 * Install-time graph check: before a downloaded or imported pack is marked installed (and by
 * `webgp check`), every ONNX graph is inspected without creating a session — its external-data
 * files, and its inputs and outputs against the contract pack.json implies (graph-contract.ts)
 * — and the dims it fixes become limits (graph-limits.ts). Storage hands in a reader, so this
 * stays pure.
 */
import { EngineError, type EngineErrorCode } from '../errors';
import { checkExternalData, inspectOnnx, type OnnxInfo } from '../onnx/inspect';
import type { AnyManifest } from './any-manifest';
import { checkContract } from './graph-contract';
import { type DerivedLimits, graphLimits } from './graph-limits';
import { manifestGraphs } from './pack-files';

/** Random access to the files of a pack being installed. */
export interface PackFileReader {
  /** Size in bytes, or undefined when the pack has no such file. */
  size(path: string): Promise<number | undefined>;
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
}

/** One problem and the error code it carries. */
export interface PackProblem {
  code: Extract<EngineErrorCode, 'invalid-manifest' | 'corrupt-model' | 'missing-file'>;
  message: string;
  /** The pack file that is absent, when that is the problem. */
  absent?: string;
}

export interface GraphCheck {
  problems: PackProblem[];
  limits: DerivedLimits;
  /** Each graph's interface, by file (absent for graphs that could not be read). */
  graphs: Map<string, OnnxInfo>;
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

/** Inspects every graph of `m` and checks it; returns every problem (nothing thrown) and the derived limits. */
export async function checkPackGraphs(m: AnyManifest, files: PackFileReader): Promise<GraphCheck> {
  const problems: PackProblem[] = [];
  const graphs = new Map<string, OnnxInfo>();
  const invalid = (message: string) => problems.push({ code: 'invalid-manifest', message });
  for (const g of manifestGraphs(m)) {
    const size = await files.size(g.file);
    if (size === undefined) {
      problems.push({
        code: 'missing-file',
        message: `The pack has no ${g.file}, which pack.json lists. Add the file (or fix pack.json) and install again`,
        absent: g.file,
      });
      continue;
    }
    let info: OnnxInfo;
    try {
      info = await inspectOnnx((offset, length) => files.read(g.file, offset, length), size);
    } catch (err) {
      problems.push({
        code: 'corrupt-model',
        message: `${g.file} could not be read as an ONNX graph (${(err as Error).message.replace(/\.+$/, '')}). The file may be corrupt; install the pack again`,
      });
      continue;
    }
    graphs.set(g.file, info);
    checkExternalData(g.file, g.externalData, info).forEach(invalid);
    for (const loc of new Set([...info.externalData, ...g.externalData])) {
      const path = resolveBeside(g.file, loc);
      if (path === undefined) invalid(`${g.file} points at external data "${loc}" outside the pack`);
      else if ((await files.size(path)) === undefined)
        problems.push({
          code: 'invalid-manifest',
          message: `${g.file} needs external data file ${path}, which the pack does not contain`,
          absent: path,
        });
    }
  }
  const contract = checkContract(m, (file) => graphs.get(file));
  contract.problems.forEach(invalid);
  const limits = graphLimits(m, contract.roleTensors);
  limits.problems.forEach(invalid);
  return { problems, limits: limits.limits, graphs };
}

/** The error for a list of problems: a missing or unreadable file keeps its own code, contract problems are one invalid-manifest. */
export function problemsError(problems: PackProblem[]): EngineError | undefined {
  const first = problems.find((p) => p.code !== 'invalid-manifest');
  if (first) return new EngineError(first.code, `${first.message}.`);
  if (!problems.length) return undefined;
  return new EngineError(
    'invalid-manifest',
    `The pack's graphs do not match its pack.json: ${problems.map((p) => p.message.replace(/\.+$/, '')).join('; ')}. Fix pack.json (or re-export the graphs), then install again.`,
  );
}

/**
 * Checks every graph against its contract; throws EngineError('invalid-manifest') naming each
 * graph and tensor that is wrong ('missing-file' / 'corrupt-model' for a graph file the pack
 * lacks or that is not ONNX). Returns the limits the graphs' fixed dims impose.
 */
export async function verifyGraphs(m: AnyManifest, files: PackFileReader): Promise<DerivedLimits> {
  const { problems, limits } = await checkPackGraphs(m, files);
  const err = problemsError(problems);
  if (err) throw err;
  return limits;
}
