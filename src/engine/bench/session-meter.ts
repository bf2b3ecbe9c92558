/**
 * Counts what ORT sessions hold: wraps an OrtModule so that every created session adds its graph
 * bytes and external-data bytes to a live total and every release subtracts them, keeping the
 * peak and a create/release log. The residency bench and tests measure with it (a session's
 * weights are what it uploads to the GPU or copies into the wasm heap).
 */
import type { OrtModule, OrtSession } from '../runtime';

export interface SessionEvent {
  what: 'create' | 'release';
  label: string;
  /** Live bytes after the event. */
  liveBytes: number;
}

export interface SessionMeter {
  readonly ort: OrtModule;
  readonly liveBytes: number;
  readonly peakBytes: number;
  /** Labels of the sessions alive now. */
  live(): string[];
  readonly log: SessionEvent[];
  /** Starts a new measurement: the peak restarts from what is alive now and the log is cleared. */
  reset(): void;
}

type CreateOptions = Parameters<OrtModule['InferenceSession']['create']>[1];

function externalBytes(options: CreateOptions): number {
  const ext = (options as { externalData?: { data: unknown }[] } | undefined)?.externalData ?? [];
  return ext.reduce(
    (n, x) =>
      n + (x.data instanceof Blob ? x.data.size : x.data instanceof Uint8Array ? x.data.byteLength : 0),
    0,
  );
}

/** Wraps `ort`; `labelOf` names a session by its graph bytes (default: its size). */
export function meterSessions(
  ort: OrtModule,
  labelOf: (graph: Uint8Array) => string = (g) => `${g.byteLength} B graph`,
): SessionMeter {
  const alive = new Map<OrtSession, { label: string; bytes: number }>();
  const log: SessionEvent[] = [];
  let liveBytes = 0;
  let peakBytes = 0;
  const wrapped: OrtModule = {
    Tensor: ort.Tensor,
    InferenceSession: {
      async create(model, options) {
        const session = await ort.InferenceSession.create(model, options);
        const entry = { label: labelOf(model), bytes: model.byteLength + externalBytes(options) };
        alive.set(session, entry);
        liveBytes += entry.bytes;
        peakBytes = Math.max(peakBytes, liveBytes);
        log.push({ what: 'create', label: entry.label, liveBytes });
        const release = session.release.bind(session);
        session.release = async () => {
          const had = alive.get(session);
          if (had) {
            alive.delete(session);
            liveBytes -= had.bytes;
            log.push({ what: 'release', label: had.label, liveBytes });
          }
          await release();
        };
        return session;
      },
    },
  };
  return {
    ort: wrapped,
    get liveBytes() {
      return liveBytes;
    },
    get peakBytes() {
      return peakBytes;
    },
    live: () => [...alive.values()].map((e) => e.label),
    log,
    reset() {
      peakBytes = liveBytes;
      log.length = 0;
    },
  };
}
