/**
 * The engine's benchmark entry points (npm run bench, bench.html): the denoise loop resident vs
 * round-trip, a pack's pipeline rows, residency peaks and a per-step LoRA schedule. Each runs in
 * the engine's ORT queue (`serial`) on the backend the engine would choose.
 */
import { type BackendPreference, type Capabilities, chooseBackend } from '../capabilities';
import { needsShaderF16 } from '../pack/components';
import { loadPack, readManifest } from '../pack/load-pack';
import type { PackManifest } from '../pack/manifest';
import type { PackSource } from '../pack/pack-source';
import type { TaskRequest } from '../request';
import type { Backend, OrtModule } from '../runtime';
import type { TransferMeter } from '../transfers';
import { benchDenoise, type DenoiseBenchResult } from './denoise-bench';
import { benchLora, type LoraBenchResult } from './lora-bench';
import { benchPipeline, type PipelineBenchResult } from './pipeline-bench';
import { benchResidency, type ResidencyBenchRow } from './residency-bench';

/** What the benches borrow from the engine. */
export interface BenchContext {
  ort: OrtModule;
  meter: TransferMeter;
  serial<T>(fn: () => Promise<T>): Promise<T>;
  prepare(
    request: TaskRequest,
    pref: BackendPreference,
  ): Promise<{ manifest: PackManifest; choice: { backend: Backend } }>;
  capabilities(): Promise<Capabilities>;
  sourceFor(packId: string): Promise<PackSource>;
}

export function engineBenches({ ort, meter, serial, prepare, capabilities, sourceFor }: BenchContext) {
  return {
    /** Measures the denoise loop (see bench/denoise-bench.ts) with fresh, uncached sessions. */
    bench(
      request: TaskRequest,
      pref: BackendPreference = 'auto',
      rounds?: number,
    ): Promise<DenoiseBenchResult & { backend: string }> {
      return serial(async () => {
        const { manifest, choice } = await prepare(request, pref);
        const backend = choice.backend;
        const source = await sourceFor(request.packId);
        const resident = await loadPack(source, manifest, ort, backend);
        const roundTrip = await loadPack(source, manifest, ort, backend, undefined, false);
        try {
          return { ...(await benchDenoise(resident, roundTrip, ort, request, rounds)), backend };
        } finally {
          await Promise.all([resident.release(), roundTrip.release()]);
        }
      });
    },

    /** Times load and denoise steps of a pack read from `source` (see bench/pipeline-bench.ts). */
    benchPipeline(
      source: PackSource,
      request: TaskRequest,
      pref: BackendPreference = 'auto',
      rounds?: number,
    ): Promise<PipelineBenchResult> {
      return serial(async () => {
        const manifest = await readManifest(source);
        return benchPipeline(
          ort,
          source,
          request,
          chooseBackend(await capabilities(), pref, needsShaderF16(manifest.components)).backend,
          meter,
          rounds,
        );
      });
    },

    /** Peak session bytes of pack `source` all-resident vs sequential, in one run (see bench/residency-bench.ts). */
    benchResidency(
      source: PackSource,
      request: TaskRequest,
      pref: BackendPreference = 'auto',
    ): Promise<ResidencyBenchRow[]> {
      return serial(async () => {
        const manifest = await readManifest(source);
        return benchResidency(
          ort,
          source,
          request,
          chooseBackend(await capabilities(), pref, needsShaderF16(manifest.components)).backend,
        );
      });
    },

    /** Times a per-step LoRA schedule on pack `source` (see bench/lora-bench.ts). */
    benchLora(
      source: PackSource,
      request: TaskRequest,
      loraBytes: Uint8Array,
      pref: BackendPreference = 'auto',
    ): Promise<LoraBenchResult> {
      return serial(async () =>
        benchLora(ort, source, request, loraBytes, chooseBackend(await capabilities(), pref, false).backend),
      );
    },
  };
}
