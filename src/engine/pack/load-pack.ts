/**
 * Loads a pack: manifest → tokenizer (+ JS embedding table) → one runner per component (single
 * graphs or block-streamed chains, see pipeline/component-runner.ts) → the engine's helper graphs.
 * Sizes, hashes and tensor names are checked as each graph loads.
 */
import { type ComponentExpect, roleExpectations } from './contract-roles';
import type { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from '../errors';
import { type ComponentRunner, componentBytes, openComponent } from '../pipeline/component-runner';
import { blendModel, eulerCfgStepModel, scaleModel } from '../pipeline/step-graph';
import type { ProgressCallback } from '../progress';
import type { Backend, OrtModule, OrtSession } from '../runtime';
import { type EmbeddingTable, loadEmbeddingTable } from '../text/embedding-table';
import type { TextEncoding } from '../text/encode-text';
import { loadTokenizer } from '../text/tokenize';
import { type ComponentSpec, type PackManifest, parseManifestText, presentComponents } from './manifest';
import type { PackSource } from './pack-source';
import { createGraphSession } from './sessions';

type ComponentName = keyof PackManifest['components'];

export interface LoadedPack {
  manifest: PackManifest;
  backend: Backend;
  text: TextEncoding;
  components: Partial<Record<ComponentName, ComponentRunner>>;
  transformer: ComponentRunner;
  vaeDecoder: ComponentRunner;
  /** The engine's graphs: Euler + CFG step, scale, blend. */
  step: OrtSession;
  scale: OrtSession;
  blend: OrtSession;
  release(): Promise<void>;
}

const decoder = new TextDecoder();

/** Reads and validates pack.json from a source. */
export async function readManifest(source: PackSource): Promise<PackManifest> {
  return parseManifestText(decoder.decode(await source.readBytes('pack.json')), `pack.json of ${source.label}`);
}

async function readTokenizer(source: PackSource, m: PackManifest): Promise<Tokenizer> {
  const bytes = await source.readBytes(m.tokenizer.file);
  try {
    return loadTokenizer(JSON.parse(decoder.decode(bytes)) as object, m.tokenizer.maxLength);
  } catch (err) {
    throw new EngineError('corrupt-model', `Could not read ${m.tokenizer.file}: ${(err as Error).message}. Re-install the pack.`);
  }
}

/** Components whose outputs stay on the GPU (the decoder's and the encoder's go to the CPU anyway). */
const GPU_OUTPUTS: Record<ComponentName, boolean> = { textEncoder: true, transformer: true, vaeDecoder: false, vaeEncoder: false, schedulerStep: true, vaePreProcess: true };

/**
 * Creates the runners of a pack whose manifest was already read (see readManifest).
 * `gpuResident` (default true) keeps text-encoder, transformer and step outputs in GPU buffers
 * on WebGPU; false downloads every output to the CPU (the benchmark's round-trip baseline).
 */
export async function loadPack(source: PackSource, manifest: PackManifest, ort: OrtModule, backend: Backend, onProgress?: ProgressCallback, gpuResident = true): Promise<LoadedPack> {
  const present = presentComponents(manifest);
  const total = present.reduce((n, [, s]) => n + componentBytes(s), 0);
  let loaded = 0;
  const tokenizer = await readTokenizer(source, manifest);
  const table = manifest.components.textEncoder.embedding;
  const embedding: EmbeddingTable | undefined = table ? await loadEmbeddingTable(source, table) : undefined;
  const runners: Partial<Record<ComponentName, ComponentRunner>> = {};
  const sessions: OrtSession[] = [];
  const releaseAll = () => Promise.all([...Object.values(runners).map((r) => r.release()), ...sessions.map((s) => s.release())]);
  try {
    const expect = roleExpectations(manifest);
    for (const [name, spec] of present) {
      runners[name] = await openComponent(ort, source, spec as ComponentSpec, backend, { gpuOutputs: GPU_OUTPUTS[name] && gpuResident, contract: { name, expect: expect[name] as ComponentExpect } });
      loaded += componentBytes(spec);
      onProgress?.({ stage: 'load', file: spec.file || spec.stages?.[0]?.file || name, loaded, total });
    }
    for (const [label, model] of [['euler_cfg_step', eulerCfgStepModel()], ['scale', scaleModel()], ['blend', blendModel()]] as const) {
      sessions.push(await createGraphSession(ort, { graph: { file: `${label} (engine)`, externalData: [] }, bytes: model, externalData: [] }, backend, gpuResident));
    }
    const [step, scale, blend] = sessions as [OrtSession, OrtSession, OrtSession];
    return {
      manifest,
      backend,
      text: { runner: runners.textEncoder as ComponentRunner, tokenizer, tokenizerSpec: manifest.tokenizer, ...(embedding ? { embedding } : {}) },
      components: runners,
      transformer: runners.transformer as ComponentRunner,
      vaeDecoder: runners.vaeDecoder as ComponentRunner,
      step,
      scale,
      blend,
      release: async () => {
        await releaseAll();
      },
    };
  } catch (err) {
    await releaseAll().catch(() => undefined);
    throw err;
  }
}
