/**
 * Residency benchmark (`npm run bench`, test-zimage): the same request with every session
 * resident and with sequential residency, in one run, measuring the peak bytes of the sessions
 * alive at once (session-meter.ts), the time, and whether both give the same latent.
 */
import { loadPack, readManifest } from '../pack/load-pack';
import { memoryPlan, type Residency, taskTensors } from '../pack/memory-plan';
import type { PackSource } from '../pack/pack-source';
import { generate } from '../pipeline/generate';
import type { TaskRequest } from '../request';
import type { Backend, OrtModule } from '../runtime';
import { meterSessions } from './session-meter';

export interface ResidencyBenchRow {
  packId: string;
  backend: Backend;
  residency: Residency;
  /** Measured: the most session bytes (graphs + external data) alive at once, the engine's helper graphs included. */
  peakSessionBytes: number;
  /** The memory plan's figure for this mode: the whole pack, or its largest phase (sessions + tensors). */
  plannedBytes: number;
  /** Load and one generation, after an unmeasured warm-up run (shader compilation excluded). */
  totalMs: number;
  /** The latent equals the all-resident run's exactly. */
  sameLatent: boolean;
}

export async function benchResidency(
  ort: OrtModule,
  source: PackSource,
  request: TaskRequest,
  backend: Backend,
): Promise<ResidencyBenchRow[]> {
  const manifest = await readManifest(source);
  const plan = memoryPlan(manifest, taskTensors(request, manifest));
  const meter = meterSessions(ort);
  const rows: ResidencyBenchRow[] = [];
  let reference: Float32Array | undefined;
  const warm = await loadPack(source, manifest, ort, backend);
  await generate(warm, ort, request).finally(() => warm.release());
  for (const residency of ['resident', 'sequential'] as const) {
    meter.reset();
    const t0 = performance.now();
    const pack = await loadPack(source, manifest, meter.ort, backend, undefined, true, residency);
    try {
      const out = await generate(pack, meter.ort, request);
      reference ??= out.latent;
      const same = out.latent.length === reference.length && out.latent.every((v, i) => v === reference?.[i]);
      rows.push({
        packId: manifest.id,
        backend,
        residency,
        peakSessionBytes: meter.peakBytes,
        plannedBytes: residency === 'resident' ? plan.wholeBytes : plan.peakBytes,
        totalMs: performance.now() - t0,
        sameLatent: same,
      });
    } finally {
      await pack.release();
    }
  }
  return rows;
}
