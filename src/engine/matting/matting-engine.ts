/**
 * The engine's video methods (segmentEmbed/segmentPoints, mattingOpen/mattingFrame/mattingClose),
 * merged into the engine object by engine.ts. Sessions are cached per (pack, backend) like the
 * generation packs; SAM embeddings stay here (an LRU of two) and only their id crosses the
 * worker boundary; each matting job keeps one MattingLoop until it is closed or cancelled.
 * ORT work goes through the engine's `serial` chain, so it never overlaps a generation.
 */
import { type BackendPreference, type Capabilities, chooseBackend } from '../capabilities';
import { abortError, EngineError } from '../errors';
import { needsShaderF16 } from '../pack/components';
import type { MattingManifest, SegmentManifest } from '../pack/media-manifest';
import type { PackSource } from '../pack/pack-source';
import type { Backend, OrtModule } from '../runtime';
import type { AlphaFrame, RgbaFrame, SegmentPoint } from './frames';
import { MattingLoop } from './matting-loop';
import {
  loadMediaPack,
  type MediaManifest,
  type MediaPack,
  readMediaManifest,
  readMediaManifestOf,
} from './media-pack';
import { decodePoints, encodeFrame, type SegmentEmbedding } from './segment';

/** mattingOpen's options (the contract in notes/matting-contract.md). */
export interface MattingOpen {
  packId: string;
  width: number;
  height: number;
  firstMask: AlphaFrame;
  firstFrame: RgbaFrame;
  warmupFrames: number;
  erode: number;
  dilate: number;
  backend?: BackendPreference;
}

/** What mattingOpen reports: the job's frame size and the backend its sessions run on. */
export interface MattingOpened {
  width: number;
  height: number;
  backend: Backend;
}

export interface MattingEngineDeps {
  ort: OrtModule;
  sourceFor(packId: string): Promise<PackSource>;
  capabilities(): Promise<Capabilities>;
  serial<T>(fn: () => Promise<T>): Promise<T>;
  isCancelled(jobId: string): boolean;
  clearCancelled(jobId: string): void;
}

const EMBEDDINGS_KEPT = 2;

export function createMattingEngine(d: MattingEngineDeps) {
  const packs = new Map<string, Promise<MediaPack>>();
  const embeddings = new Map<string, { packId: string; embedding: SegmentEmbedding }>();
  const jobs = new Map<string, MattingLoop>();
  let nextEmbedding = 1;

  async function pack<P extends MediaManifest['pipeline']>(
    packId: string,
    pipeline: P,
    pref: BackendPreference,
  ): Promise<MediaPack<Extract<MediaManifest, { pipeline: P }>>> {
    const source = await d.sourceFor(packId);
    const manifest = await readMediaManifestOf(source, pipeline);
    const { backend } = chooseBackend(await d.capabilities(), pref, needsShaderF16(manifest.components));
    const key = `${packId}@${backend}`;
    let loading = packs.get(key);
    if (!loading) {
      loading = loadMediaPack(source, manifest, d.ort, backend, pipeline === 'matting-memory');
      packs.set(key, loading);
      loading.catch(() => packs.delete(key));
    }
    return (await loading) as MediaPack<Extract<MediaManifest, { pipeline: P }>>;
  }

  function job(jobId: string): MattingLoop {
    const loop = jobs.get(jobId);
    if (!loop)
      throw new EngineError('invalid-request', `No open matting job "${jobId}": call mattingOpen first.`);
    return loop;
  }

  /** Ends a cancelled job: drops its state and rejects with AbortError. */
  function throwIfCancelled(jobId: string): void {
    if (!d.isCancelled(jobId)) return;
    jobs.delete(jobId);
    d.clearCancelled(jobId);
    throw abortError('Matting');
  }

  return {
    /** Reads and validates a segment-points or matting-memory pack's manifest (no sessions). */
    async describeVideoPack(packId: string): Promise<SegmentManifest | MattingManifest> {
      return readMediaManifest(await d.sourceFor(packId));
    },

    /** Encodes a frame with the pack's SAM encoder; keeps the embedding (the last two) under the returned id. */
    segmentEmbed(
      packId: string,
      frame: RgbaFrame,
      backend: BackendPreference = 'auto',
    ): Promise<{ embeddingId: string }> {
      return d.serial(async () => {
        const p = await pack(packId, 'segment-points', backend);
        const embedding = await encodeFrame(p, d.ort, frame);
        const embeddingId = `emb-${nextEmbedding++}`;
        embeddings.set(embeddingId, { packId, embedding });
        while (embeddings.size > EMBEDDINGS_KEPT) embeddings.delete(embeddings.keys().next().value as string);
        return { embeddingId };
      });
    },

    /** Decodes click points (video pixels) on an embedded frame into a 0/255 mask at the video's size. */
    segmentPoints(
      packId: string,
      embeddingId: string,
      points: SegmentPoint[],
      backend: BackendPreference = 'auto',
    ): Promise<AlphaFrame> {
      return d.serial(async () => {
        const kept = embeddings.get(embeddingId);
        if (!kept || kept.packId !== packId)
          throw new EngineError(
            'invalid-request',
            'That frame is no longer encoded (only the last two are kept): encode the frame again.',
          );
        embeddings.delete(embeddingId);
        embeddings.set(embeddingId, kept);
        return decodePoints(await pack(packId, 'segment-points', backend), d.ort, kept.embedding, points);
      });
    },

    /** Opens matting job `jobId`: sessions, erode/dilate of the mask, frame-0 memory and warm-up; says which backend runs it. */
    mattingOpen(jobId: string, o: MattingOpen): Promise<MattingOpened> {
      return d.serial(async () => {
        if (jobs.has(jobId))
          throw new EngineError('invalid-request', `Matting job "${jobId}" is already open.`);
        const p = await pack(o.packId, 'matting-memory', o.backend ?? 'auto');
        const loop = new MattingLoop(p, d.ort, o);
        await loop.open();
        throwIfCancelled(jobId);
        jobs.set(jobId, loop);
        return { width: o.width, height: o.height, backend: p.backend };
      });
    },

    /** Mattes the job's next frame (the first call is the first frame again); rejects with AbortError after cancel(jobId). */
    mattingFrame(jobId: string, frame: RgbaFrame): Promise<AlphaFrame> {
      return d.serial(async () => {
        throwIfCancelled(jobId);
        return job(jobId).frame(frame);
      });
    },

    /** Frees the job's state (sessions stay cached per pack). */
    async mattingClose(jobId: string): Promise<void> {
      jobs.delete(jobId);
      d.clearCancelled(jobId);
    },

    /** State bytes a matting job keeps between frames (bench and tests: it must not grow). */
    mattingRetainedBytes(jobId: string): number {
      return job(jobId).retainedBytes();
    },

    /** Releases the cached video sessions of `packId` (every pack when omitted) and their embeddings. */
    async forgetVideoPacks(packId?: string): Promise<void> {
      const mine = [...packs.entries()].filter(
        ([key]) => packId === undefined || key.startsWith(`${packId}@`),
      );
      for (const [key] of mine) packs.delete(key);
      for (const [id, e] of embeddings)
        if (packId === undefined || e.packId === packId) embeddings.delete(id);
      await Promise.all(mine.map(([, p]) => p.then((l) => l.release()).catch(() => undefined)));
    },
  };
}
