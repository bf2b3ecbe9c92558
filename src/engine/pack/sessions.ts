/**
 * Creates ORT sessions from a pack's graph files: the graph bytes are checked against the
 * manifest (size, and sha256 for files small enough to hash at every load — the downloader
 * checks the big ones once), external-data shards are handed to ORT as Blobs (never joined into
 * one buffer), and free-dimension overrides are applied. ORT failures become named errors.
 */
import { EngineError } from '../errors';
import { type Backend, type OrtModule, type OrtSession, sessionOptions } from '../runtime';
import { serialQueue } from '../serial';
import type { InferenceSession } from 'onnxruntime-web';
import type { OnnxValueInfo } from '../onnx/inspect';
import type { ComponentSpec, GraphSpec } from './components';
import type { ComponentExpect } from './contract-roles';
import { checkLoadedGraph, type GraphIo } from './graph-contract';
import { type PackSource, verifyFile } from './pack-source';

/** Files above this are only size-checked at load (hashing GBs at every start would take seconds). */
const HASH_AT_LOAD_LIMIT = 64 * 1024 * 1024;

/** Graph bytes and external-data Blobs, read ahead of session creation (block streaming prefetches them). */
export interface GraphFiles {
  graph: GraphSpec;
  bytes: Uint8Array;
  externalData: { path: string; data: Blob }[];
}

export async function readGraphFiles(source: PackSource, graph: GraphSpec): Promise<GraphFiles> {
  const bytes = await source.readBytes(graph.file);
  await verifyFile(graph.file, bytes, bytes.byteLength > HASH_AT_LOAD_LIMIT ? { bytes: graph.bytes } : graph);
  const externalData = await Promise.all(
    graph.externalData.map(async (x) => {
      const data = await source.readBlob(x.file);
      if (x.bytes !== undefined && data.size !== x.bytes) {
        throw new EngineError(
          'corrupt-model',
          `External data ${x.file} of ${graph.file} is ${data.size} bytes but the pack says ${x.bytes}: the download is incomplete or corrupt. Re-install the pack.`,
        );
      }
      return { path: x.path, data };
    }),
  );
  return { graph, bytes, externalData };
}

/**
 * Session creations run one at a time: ORT's native WebGPU EP (the JSPI build) refuses a second
 * creation while one is in progress ("another WebGPU EP inference session is being created").
 * Creating one session while another runs is fine, which is what block streaming overlaps.
 */
const creationTurn = serialQueue();

/** Creates a session; `gpuOutputs` keeps its outputs in GPU buffers on WebGPU. */
export function createGraphSession(
  ort: OrtModule,
  files: GraphFiles,
  backend: Backend,
  gpuOutputs: boolean,
): Promise<OrtSession> {
  return creationTurn(() => createNow(ort, files, backend, gpuOutputs));
}

async function createNow(
  ort: OrtModule,
  files: GraphFiles,
  backend: Backend,
  gpuOutputs: boolean,
): Promise<OrtSession> {
  const { graph } = files;
  const options = {
    ...sessionOptions(backend, gpuOutputs),
    ...(files.externalData.length ? { externalData: files.externalData } : {}),
    ...(graph.freeDimensions ? { freeDimensionOverrides: graph.freeDimensions } : {}),
  };
  try {
    return await ort.InferenceSession.create(files.bytes, options);
  } catch (err) {
    const reason = (err as Error).message.replace(/[.\s]+$/, '');
    if (/backend not found|no available backend/i.test(reason)) {
      throw new EngineError(
        'backend-unavailable',
        `No ONNX Runtime backend could start for ${backend} (${reason}). Try another browser, or the WebAssembly backend.`,
      );
    }
    throw new EngineError(
      'corrupt-model',
      `Could not load ${graph.file}: ${reason}. The file may be corrupt or not an ONNX model; re-install the pack.`,
    );
  }
}

/** A session's inputs and outputs; types and shapes where ORT reports them ('unknown' otherwise: names only). */
export function sessionIo(session: OrtSession): GraphIo {
  const values = (
    names: readonly string[],
    meta: readonly InferenceSession.ValueMetadata[] | undefined,
  ): OnnxValueInfo[] =>
    names.map((name) => {
      const m = meta?.find((v) => v.name === name);
      return m?.isTensor ? { name, type: m.type, dims: [...m.shape] } : { name, type: 'unknown', dims: [] };
    });
  return {
    inputs: values(session.inputNames, session.inputMetadata),
    outputs: values(session.outputNames, session.outputMetadata),
  };
}

/**
 * The graph contract as graph `file` of component `name` loads (graph-contract.ts, the same
 * check install runs; `ifDeclared` inputs may be absent): throws invalid-manifest naming each problem.
 */
export function checkSessionContract(
  name: string,
  spec: ComponentSpec,
  expect: ComponentExpect | undefined,
  file: string,
  session: OrtSession,
): void {
  const problems = checkLoadedGraph(name, spec, expect, file, sessionIo(session));
  if (problems.length)
    throw new EngineError(
      'invalid-manifest',
      `${problems.join('; ')}. Fix pack.json (or re-export the graph), then install the pack again.`,
    );
}

/** Whether a session declares the input `role` of `spec` maps (ifDeclared roles are fed only then). */
export function feedsRole(spec: ComponentSpec, role: string, inputNames: readonly string[]): boolean {
  const name = spec.inputs[role];
  return name !== undefined && (!spec.ifDeclared?.includes(role) || inputNames.includes(name));
}
