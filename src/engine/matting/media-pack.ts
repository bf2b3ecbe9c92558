/**
 * Loads a segment-points or matting-memory pack: pack.json, then one ORT session per component
 * (sizes/hashes checked as each graph loads, then the graph contract, graph-contract.ts).
 * Helpers run a session by role names and read/release its outputs.
 */
import { EngineError } from '../errors';
import type { ComponentSpec } from '../pack/components';
import { type MattingManifest, parseMediaManifestText, type SegmentManifest } from '../pack/media-manifest';
import type { PackSource } from '../pack/pack-source';
import { roleExpectations } from '../pack/contract-roles';
import { checkSessionContract, createGraphSession, feedsRole, readGraphFiles } from '../pack/sessions';
import {
  type Backend,
  f32ToF16Bits,
  type OrtModule,
  type OrtSession,
  type OrtTensor,
  readFloats,
} from '../runtime';

export type MediaManifest = SegmentManifest | MattingManifest;

/** A loaded video pack: its manifest and one session per component. */
export interface MediaPack<M extends MediaManifest = MediaManifest> {
  manifest: M;
  backend: Backend;
  sessions: Record<keyof M['components'], RoleSession>;
  release(): Promise<void>;
}

/** A component's session, run with role → tensor maps. */
export interface RoleSession {
  spec: ComponentSpec;
  session: OrtSession;
}

const decoder = new TextDecoder();

/** Reads and validates pack.json of a video pack. */
export async function readMediaManifest(source: PackSource): Promise<MediaManifest> {
  return parseMediaManifestText(
    decoder.decode(await source.readBytes('pack.json')),
    `pack.json of ${source.label}`,
  );
}

/** Reads pack.json and requires `pipeline`, naming the mismatch. */
export async function readMediaManifestOf<P extends MediaManifest['pipeline']>(
  source: PackSource,
  pipeline: P,
): Promise<Extract<MediaManifest, { pipeline: P }>> {
  const m = await readMediaManifest(source);
  if (m.pipeline !== pipeline)
    throw new EngineError(
      'invalid-request',
      `Pack "${m.id}" is a ${m.pipeline} pack; choose a ${pipeline} pack here.`,
    );
  return m as Extract<MediaManifest, { pipeline: P }>;
}

/**
 * Creates every component's session. `gpuOutputs` keeps outputs in GPU buffers on WebGPU, so
 * tensors passed from graph to graph (MatAnyone's feature maps) are not read back; only what
 * the engine reads (`take`) is downloaded.
 */
export async function loadMediaPack<M extends MediaManifest>(
  source: PackSource,
  manifest: M,
  ort: OrtModule,
  backend: Backend,
  gpuOutputs = false,
): Promise<MediaPack<M>> {
  const sessions: Record<string, RoleSession> = {};
  const release = () =>
    Promise.all(Object.values(sessions).map((s) => s.session.release())).then(() => undefined);
  const expect = roleExpectations(manifest);
  try {
    for (const [name, spec] of Object.entries(manifest.components) as [string, ComponentSpec][]) {
      const session = await createGraphSession(ort, await readGraphFiles(source, spec), backend, gpuOutputs);
      sessions[name] = { spec, session };
      checkSessionContract(name, spec, expect[name], spec.file, session);
    }
  } catch (err) {
    await release().catch(() => undefined);
    throw err;
  }
  return { manifest, backend, sessions: sessions as MediaPack<M>['sessions'], release };
}

/** Outputs of one run by role; `take` reads a role as floats, `dispose` frees every output tensor. */
export interface RoleOutputs {
  tensor(role: string): OrtTensor;
  take(role: string): Promise<Float32Array>;
  dispose(): void;
}

/**
 * Runs `s` with float32 inputs given by role (converted for an fp16 graph); a role the manifest
 * marks `ifDeclared` is left out when the graph has no such input (exporters drop unused inputs).
 * The caller disposes the outputs.
 */
export async function runRoles(
  ort: OrtModule,
  s: RoleSession,
  feeds: Record<string, OrtTensor>,
): Promise<RoleOutputs> {
  const named: Record<string, OrtTensor> = {};
  const converted: OrtTensor[] = [];
  for (const [role, t] of Object.entries(feeds)) {
    // ifDeclared roles are fed only when the graph declares them (MatAnyone 2's exporter drops unused inputs).
    if (s.spec.inputs[role] !== undefined && !feedsRole(s.spec, role, s.session.inputNames)) continue;
    // fp16 graph boundaries: the engine computes in float32 and converts at the boundary.
    const fed =
      s.spec.dtype === 'float16' && t.type === 'float32' && t.location === 'cpu'
        ? new ort.Tensor('float16', f32ToF16Bits(t.data as Float32Array), t.dims)
        : t;
    if (fed !== t) converted.push(fed);
    named[s.spec.inputs[role] ?? role] = fed;
  }
  const out = await s.session.run(named).finally(() => converted.forEach((t) => t.dispose()));
  const tensor = (role: string) => {
    const t = out[s.spec.outputs[role] ?? role];
    if (!t)
      throw new EngineError(
        'corrupt-model',
        `${s.spec.file} returned no "${s.spec.outputs[role] ?? role}" output.`,
      );
    return t;
  };
  return {
    tensor,
    take: (role) => readFloats(tensor(role)),
    dispose: () => Object.values(out).forEach((t) => t.dispose()),
  };
}
