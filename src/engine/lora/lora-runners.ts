/**
 * The engine's LoRA state: parsed LoRA files per (pack, file hash), one merger per LoRA set, and
 * merged transformer sessions cached by (pack, backend, LoRA set + hashes, multipliers). A
 * per-step schedule asks for the transformer of each step; a session is only created when the
 * step's multipliers have no cached session (at most two merged sessions are kept, one for big
 * transformers).
 * All multipliers 0 is the pack's own transformer.
 */
import { type ComponentExpect, roleExpectations } from '../pack/contract-roles';
import { EngineError } from '../errors';
import { sha256Hex } from '../hash';
import { memoIn } from '../memo';
import type { LoadedPack } from '../pack/load-pack';
import type { PackSource } from '../pack/pack-source';
import { type ComponentRunner, componentBytes, openComponent } from '../pipeline/component-runner';
import type { LoraRef, TaskRequest } from '../request';
import type { OrtModule } from '../runtime';
import { guidancePhase } from '../schedule/guidance-phase';
import { buildSchedule } from '../schedule/schedules';
import type { LoraSpec } from '../pack/lora-spec';
import { LoraMerger } from './apply';
import { resolveLoraSpec } from './derive-targets';
import { type LoraWeights, loraWeights } from './merge';
import { type GuidancePass, multipliersPerStep, parseMultipliers } from './multipliers';
import { parseSafetensors } from './safetensors';

const BIG_TRANSFORMER = 512 * 2 ** 20;

export interface LoraRunnerDeps {
  ort: OrtModule;
  /** The bytes of a stored LoRA; rejects with EngineError('missing-lora') when it is gone. */
  readLora(ref: LoraRef): Promise<Uint8Array>;
  /** Merged sessions kept (default 2; 1 for transformers over 512 MiB). */
  maxSessions?: number;
}

/** Step → guidance phase (0, or 1 once 1000·σ drops below the switch threshold), as generate.ts decides guidance. */
export function guidancePhases(r: TaskRequest, pack: LoadedPack): number[] {
  const { sigmas } = buildSchedule(pack.manifest.scheduler, r.steps, r.shift);
  return Array.from({ length: r.steps }, (_, i) => guidancePhase(r, sigmas[i] as number));
}

export function createLoraRunners(deps: LoraRunnerDeps) {
  const weights = new Map<string, Promise<LoraWeights>>();
  /** Per pack: its LoRA spec with rule-derived targets (graphs read once). */
  const specs = new Map<string, Promise<LoraSpec | undefined>>();
  const mergers = new Map<string, LoraMerger>();
  const sessions = new Map<string, Promise<ComponentRunner>>(); // insertion order = least recently used first
  /** Merged sessions kept: 2, or 1 for a transformer over BIG_TRANSFORMER bytes (each session holds a copy of the weights). */
  const maxFor = (pack: LoadedPack) =>
    deps.maxSessions ?? (componentBytes(pack.manifest.components.transformer) > BIG_TRANSFORMER ? 1 : 2);

  function specOf(pack: LoadedPack, source: PackSource): Promise<LoraSpec | undefined> {
    return memoIn(specs, `${pack.manifest.id}|spec`, () =>
      resolveLoraSpec(source, pack.manifest.components.transformer),
    );
  }

  function readWeights(pack: LoadedPack, spec: LoraSpec, ref: LoraRef): Promise<LoraWeights> {
    return memoIn(weights, `${pack.manifest.id}|${ref.sha256}`, async () => {
      const bytes = await deps.readLora(ref);
      if ((await sha256Hex(bytes)) !== ref.sha256)
        throw new EngineError(
          'missing-lora',
          `The stored LoRA ${ref.name} is not the file this task was made with (its sha256 differs). Import ${ref.name} again.`,
        );
      return loraWeights(ref.name, bytes, await parseSafetensors(bytes, ref.name), spec);
    });
  }

  async function evict(keep: number): Promise<void> {
    while (sessions.size > keep) {
      const [key, s] = sessions.entries().next().value as [string, Promise<ComponentRunner>];
      sessions.delete(key);
      await s.then((r) => r.release()).catch(() => undefined);
    }
  }

  async function releaseSessions(mine: (key: string) => boolean): Promise<void> {
    const gone = [...sessions.entries()].filter(([key]) => mine(key));
    for (const [key] of gone) sessions.delete(key);
    await Promise.all(gone.map(([, s]) => s.then((x) => x.release()).catch(() => undefined)));
  }

  async function drop(mine: (key: string) => boolean): Promise<void> {
    for (const key of [...weights.keys()]) if (mine(key)) weights.delete(key);
    for (const key of [...specs.keys()]) if (mine(key)) specs.delete(key);
    for (const key of [...mergers.keys()]) if (mine(key)) mergers.delete(key);
    await releaseSessions(mine);
  }

  return {
    /**
     * The per-step transformer for a request with LoRAs (undefined without). Reads and checks
     * every LoRA first, so a missing or foreign file fails before the first step.
     */
    async transformerAt(
      r: TaskRequest,
      pack: LoadedPack,
      source: PackSource,
    ): Promise<((step: number, pass?: GuidancePass) => Promise<ComponentRunner>) | undefined> {
      const refs = r.loras ?? [];
      if (!refs.length) return undefined;
      const spec = await specOf(pack, source);
      if (!spec)
        throw new EngineError(
          'invalid-request',
          `${pack.manifest.name} takes no LoRAs: deselect them or pick a model whose pack lists LoRA targets.`,
          { loras: 'this model takes no LoRAs' },
        );
      const loras = await Promise.all(refs.map((ref) => readWeights(pack, spec, ref)));
      for (const l of loras) {
        if (!l.modules.size)
          throw new EngineError(
            'invalid-lora',
            `LoRA ${l.name} has no keys that match ${pack.manifest.name} (family ${spec.family}); it is for another model.`,
          );
      }
      const parsed = parseMultipliers(r.lorasMultipliers ?? '', refs.length);
      const phases = [guidancePhases(r, pack), r.guidance2 !== undefined ? 2 : 1] as const;
      const perPass = {
        cond: multipliersPerStep(parsed, refs.length, ...phases, 'cond'),
        uncond: multipliersPerStep(parsed, refs.length, ...phases, 'uncond'),
      };
      const setKey = `${pack.manifest.id}@${pack.backend}|${refs.map((x) => x.sha256).join('+')}`;
      let merger = mergers.get(setKey);
      if (!merger) {
        merger = new LoraMerger(spec, loras);
        mergers.set(setKey, merger);
      }
      const m = merger;
      return async (step, pass = 'cond') => {
        const perStep = perPass[pass];
        const mults = perStep[step] ?? perStep[perStep.length - 1] ?? [];
        if (mults.every((x) => x === 0)) return pack.transformer;
        const key = `${setKey}|${mults.join(',')}`;
        let s = sessions.get(key);
        if (s) sessions.delete(key);
        else {
          await evict(maxFor(pack) - 1);
          s = openComponent(deps.ort, source, pack.manifest.components.transformer, pack.backend, {
            gpuOutputs: pack.backend === 'webgpu',
            patch: (f, single) => m.patch(f, mults, single),
            contract: {
              name: 'transformer',
              expect: roleExpectations(pack.manifest).transformer as ComponentExpect,
            },
          });
          s.catch(() => sessions.delete(key));
        }
        sessions.set(key, s);
        return s;
      };
    },

    /** Releases the merged sessions (of pack `packId`, or all) and forgets parsed LoRAs. */
    release(packId?: string): Promise<void> {
      return drop(
        (key) => packId === undefined || key.startsWith(`${packId}@`) || key.startsWith(`${packId}|`),
      );
    },

    /** Releases the merged sessions of pack `packId` but keeps its parsed LoRAs (sequential residency, before decode). */
    releaseSessions(packId: string): Promise<void> {
      return releaseSessions((key) => key.startsWith(`${packId}@`));
    },

    /** Forgets a LoRA file (deleted from the library): its parsed tensors and every merged session using it. */
    forget(sha256: string): Promise<void> {
      return drop((key) => key.includes(sha256));
    },

    /** Number of merged sessions created so far (for tests and the bench). */
    get cached(): number {
      return sessions.size;
    },
  };
}

export type LoraRunners = ReturnType<typeof createLoraRunners>;
