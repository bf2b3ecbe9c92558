/**
 * Loads a pack: manifest → tokenizer → one ORT session per component (+ the engine's step
 * graph), verifying sizes/hashes and that each graph has the tensor names the manifest maps.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from '../errors';
import { eulerCfgStepModel } from '../pipeline/step-graph';
import type { ProgressCallback } from '../progress';
import { type Backend, type OrtModule, type OrtSession, sessionOptions } from '../runtime';
import { loadTokenizer } from '../text/tokenize';
import { type ComponentSpec, type PackManifest, parseManifestText } from './manifest';
import { type PackSource, verifyFile } from './pack-source';

export interface LoadedPack {
  manifest: PackManifest;
  backend: Backend;
  tokenizer: Tokenizer;
  textEncoder: OrtSession;
  transformer: OrtSession;
  vaeDecoder: OrtSession;
  step: OrtSession;
  release(): Promise<void>;
}

const decoder = new TextDecoder();

/** Reads and validates pack.json from a source. */
export async function readManifest(source: PackSource): Promise<PackManifest> {
  return parseManifestText(decoder.decode(await source.readBytes('pack.json')), `pack.json of ${source.label}`);
}

function checkNames(file: string, kind: 'input' | 'output', have: readonly string[], want: Record<string, string>): void {
  for (const name of Object.values(want)) {
    if (!have.includes(name)) {
      throw new EngineError('invalid-manifest', `${file} has no ${kind} named "${name}" (it has: ${have.join(', ')}). Fix the name mapping in pack.json.`);
    }
  }
}

async function createSession(ort: OrtModule, file: string, bytes: Uint8Array, backend: Backend, gpuOutputs: boolean): Promise<OrtSession> {
  try {
    return await ort.InferenceSession.create(bytes, sessionOptions(backend, gpuOutputs));
  } catch (err) {
    const reason = (err as Error).message.replace(/[.\s]+$/, '');
    if (/backend not found|no available backend/i.test(reason)) {
      throw new EngineError('backend-unavailable', `No ONNX Runtime backend could start for ${backend} (${reason}). Try another browser, or the WebAssembly backend.`);
    }
    throw new EngineError('corrupt-model', `Could not load ${file}: ${reason}. The file may be corrupt or not an ONNX model; re-install the pack.`);
  }
}

/**
 * Creates the sessions of a pack whose manifest was already read (see readManifest).
 * `gpuResident` (default true) keeps text-encoder, transformer and step outputs in GPU buffers
 * on WebGPU; false downloads every output to the CPU (the benchmark's round-trip baseline).
 */
export async function loadPack(source: PackSource, manifest: PackManifest, ort: OrtModule, backend: Backend, onProgress?: ProgressCallback, gpuResident = true): Promise<LoadedPack> {
  const c = manifest.components;
  const specs: [keyof PackManifest['components'], ComponentSpec, boolean][] = [
    ['textEncoder', c.textEncoder, true],
    ['transformer', c.transformer, true],
    ['vaeDecoder', c.vaeDecoder, false],
  ];
  const total = specs.reduce((n, [, s]) => n + (s.bytes ?? 0), 0);
  let loaded = 0;
  const tokenizerBytes = await source.readBytes(manifest.tokenizer.file);
  let tokenizer: Tokenizer;
  try {
    tokenizer = loadTokenizer(JSON.parse(decoder.decode(tokenizerBytes)) as object, manifest.tokenizer.maxLength);
  } catch (err) {
    throw new EngineError('corrupt-model', `Could not read ${manifest.tokenizer.file}: ${(err as Error).message}. Re-install the pack.`);
  }
  const sessions: Partial<Record<keyof PackManifest['components'], OrtSession>> = {};
  const created: OrtSession[] = [];
  try {
    for (const [role, spec, gpuOutputs] of specs) {
      const bytes = await source.readBytes(spec.file);
      await verifyFile(spec.file, bytes, spec);
      loaded += spec.bytes ?? 0;
      onProgress?.({ stage: 'load', file: spec.file, loaded, total });
      const session = await createSession(ort, spec.file, bytes, backend, gpuOutputs && gpuResident);
      created.push(session);
      checkNames(spec.file, 'input', session.inputNames, spec.inputs);
      checkNames(spec.file, 'output', session.outputNames, spec.outputs);
      sessions[role] = session;
    }
    const step = await createSession(ort, 'euler_cfg_step (engine)', eulerCfgStepModel(), backend, gpuResident);
    created.push(step);
    return {
      manifest,
      backend,
      tokenizer,
      textEncoder: sessions.textEncoder as OrtSession,
      transformer: sessions.transformer as OrtSession,
      vaeDecoder: sessions.vaeDecoder as OrtSession,
      step,
      release: async () => {
        await Promise.all(created.map((s) => s.release()));
      },
    };
  } catch (err) {
    await Promise.all(created.map((s) => s.release().catch(() => undefined)));
    throw err;
  }
}
