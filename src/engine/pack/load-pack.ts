/**
 * Loads a pack: manifest → tokenizer (+ JS embedding table) → one runner per component (single
 * graphs or block-streamed chains, see pipeline/component-runner.ts) → the engine's helper graphs.
 * Sizes, hashes and tensor names are checked as each graph loads. With 'sequential' residency
 * (residency.ts) the component sessions are created phase by phase during a run instead.
 */
import { type ComponentExpect, roleExpectations } from './contract-roles';
import { type ComponentRunner, componentBytes, openComponent } from '../pipeline/component-runner';
import {
  blendModel,
  combineModel,
  concatModel,
  eulerCfgStepModel,
  eulerModel,
  scaleModel,
  zeroFillModel,
} from '../pipeline/step-graph';
import type { ProgressCallback } from '../progress';
import type { Backend, OrtModule, OrtSession } from '../runtime';
import { type EmbeddingTable, loadEmbeddingTable } from '../text/embedding-table';
import type { TextEncoding } from '../text/encode-text';
import { readPackTokenizer } from '../text/load-tokenizer';
import { type ComponentSpec, type PackManifest, parseManifestText, presentComponents } from './manifest';
import type { PackSource } from './pack-source';
import type { Phase, Residency } from './memory-plan';
import { type PhasedComponents, residentComponents, sequentialComponents } from './residency';
import { createGraphSession } from './sessions';

type ComponentName = keyof PackManifest['components'];

export interface LoadedPack {
  manifest: PackManifest;
  backend: Backend;
  text: TextEncoding;
  /** The second text encoder with its own tokenizer (SDXL), when the pack has one. */
  text2?: TextEncoding;
  components: Partial<Record<ComponentName, ComponentRunner>>;
  transformer: ComponentRunner;
  vaeDecoder: ComponentRunner;
  /** The engine's graphs: Euler + CFG step, scale, blend, combine. */
  step: OrtSession;
  scale: OrtSession;
  blend: OrtSession;
  /** UniPC / DPM++ updates: a linear combination of up to four tensors (pipeline/gpu-solver.ts). */
  combine: OrtSession;
  /** The Euler step without CFG (latents + dt·v). */
  euler: OrtSession;
  /** Joins two text encoders' hidden states on the last axis on the device (text/conditioning.ts). */
  concat: OrtSession;
  /** Whether every session stays resident, or each phase's sessions exist only during it. */
  residency: Residency;
  /** Starts a run (sequential: its session creations report 'load' progress to `onProgress`). */
  beginRun(onProgress?: ProgressCallback): void;
  /** Enters a run phase: sequential residency releases the sessions it does not use. */
  enter(phase: Phase): Promise<void>;
  release(): Promise<void>;
}

const decoder = new TextDecoder();

/** Reads and validates pack.json from a source. */
export async function readManifest(source: PackSource): Promise<PackManifest> {
  return parseManifestText(
    decoder.decode(await source.readBytes('pack.json')),
    `pack.json of ${source.label}`,
  );
}

/** Components whose outputs stay on the GPU (the decoder's and the encoder's go to the CPU anyway). */
const GPU_OUTPUTS: Record<ComponentName, boolean> = {
  textEncoder: true,
  textEncoder2: true,
  transformer: true,
  vaeDecoder: false,
  vaeEncoder: false,
  schedulerStep: true,
  vaePreProcess: true,
};

/** Opens every component now, reporting load progress (resident mode). */
async function openAll(
  present: [ComponentName, ComponentSpec][],
  open: (name: ComponentName, spec: ComponentSpec) => Promise<ComponentRunner>,
  onProgress?: ProgressCallback,
): Promise<PhasedComponents> {
  const total = present.reduce((n, [, s]) => n + componentBytes(s), 0);
  let loaded = 0;
  const runners: Partial<Record<ComponentName, ComponentRunner>> = {};
  try {
    for (const [name, spec] of present) {
      runners[name] = await open(name, spec);
      loaded += componentBytes(spec);
      onProgress?.({ stage: 'load', file: spec.file || spec.stages?.[0]?.file || name, loaded, total });
    }
  } catch (err) {
    await Promise.all(Object.values(runners).map((r) => r.release())).catch(() => undefined);
    throw err;
  }
  return residentComponents(runners);
}

/**
 * Creates the runners of a pack whose manifest was already read (see readManifest).
 * `gpuResident` (default true) keeps text-encoder, transformer and step outputs in GPU buffers
 * on WebGPU; false downloads every output to the CPU (the benchmark's round-trip baseline).
 * `residency` 'sequential' creates no component session here (see residency.ts).
 */
export async function loadPack(
  source: PackSource,
  manifest: PackManifest,
  ort: OrtModule,
  backend: Backend,
  onProgress?: ProgressCallback,
  gpuResident = true,
  residency: Residency = 'resident',
): Promise<LoadedPack> {
  const present = presentComponents(manifest);
  const tokenizer = await readPackTokenizer(source, manifest.tokenizer);
  const tokenizer2 = manifest.tokenizer2 && (await readPackTokenizer(source, manifest.tokenizer2));
  const table = manifest.components.textEncoder.embedding;
  const embedding: EmbeddingTable | undefined = table ? await loadEmbeddingTable(source, table) : undefined;
  const expect = roleExpectations(manifest);
  const open = (name: ComponentName, spec: ComponentSpec) =>
    openComponent(ort, source, spec, backend, {
      gpuOutputs: GPU_OUTPUTS[name] && gpuResident,
      contract: { name, expect: expect[name] as ComponentExpect },
    });
  const phased =
    residency === 'sequential'
      ? sequentialComponents(present, open)
      : await openAll(present, open, onProgress);
  const runners = phased.runners;
  const sessions: OrtSession[] = [];
  const releaseAll = () => Promise.all([phased.release(), ...sessions.map((s) => s.release())]);
  try {
    for (const [label, model] of [
      ['euler_cfg_step', eulerCfgStepModel()],
      ['scale', scaleModel()],
      ['blend', blendModel()],
      ['combine', combineModel()],
      ['concat', concatModel()],
      ['euler', eulerModel()],
    ] as const) {
      sessions.push(
        await createGraphSession(
          ort,
          { graph: { file: `${label} (engine)`, externalData: [] }, bytes: model, externalData: [] },
          backend,
          gpuResident,
        ),
      );
    }
    const [step, scale, blend, combine, concat, euler] = sessions as [
      OrtSession,
      OrtSession,
      OrtSession,
      OrtSession,
      OrtSession,
      OrtSession,
    ];
    // FastWan's padded prompt positions are zeroed on the device when the hidden states stay there.
    const zeroFill =
      manifest.components.textEncoder.zeroFillPadding && backend === 'webgpu' && gpuResident
        ? await createGraphSession(
            ort,
            {
              graph: { file: 'zero_fill (engine)', externalData: [] },
              bytes: zeroFillModel(),
              externalData: [],
            },
            backend,
            true,
          )
        : undefined;
    if (zeroFill) sessions.push(zeroFill);
    return {
      manifest,
      backend,
      text: {
        runner: runners.textEncoder as ComponentRunner,
        tokenizer,
        tokenizerSpec: manifest.tokenizer,
        ...(embedding ? { embedding } : {}),
        ...(zeroFill ? { zeroFill } : {}),
      },
      ...(runners.textEncoder2 && tokenizer2 && manifest.tokenizer2
        ? {
            text2: {
              runner: runners.textEncoder2,
              tokenizer: tokenizer2,
              tokenizerSpec: manifest.tokenizer2,
            },
          }
        : {}),
      components: runners,
      transformer: runners.transformer as ComponentRunner,
      vaeDecoder: runners.vaeDecoder as ComponentRunner,
      step,
      scale,
      blend,
      combine,
      concat,
      euler,
      residency: phased.mode,
      beginRun: (report) => phased.beginRun(report),
      enter: (phase) => phased.enter(phase),
      release: async () => {
        await releaseAll();
      },
    };
  } catch (err) {
    await releaseAll().catch(() => undefined);
    throw err;
  }
}
