/**
 * The segment-points pipeline (SAM): a frame is resized so its longest side is the encoder's
 * input size S, padded bottom/right, scaled and normalised as the manifest says, and encoded
 * once; each click set is then decoded (points scaled into the resized frame, SAM's padding
 * point appended, no prior mask) and the mask logits, already at the video's size, are
 * thresholded at 0.
 */
import { EngineError } from '../errors';
import type { SegmentManifest } from '../pack/media-manifest';
import type { OrtModule } from '../runtime';
import type { AlphaFrame, RgbaFrame, SegmentPoint } from './frames';
import { type MediaPack, runRoles } from './media-pack';
import { fitPlacement, frameToPlanar } from './resample';

/** An encoded frame: the embedding values and shape, and the frame's size. */
export interface SegmentEmbedding {
  data: Float32Array;
  dims: readonly number[];
  width: number;
  height: number;
}

/** Encodes `frame` with the pack's encoder. */
export async function encodeFrame(
  pack: MediaPack<SegmentManifest>,
  ort: OrtModule,
  frame: RgbaFrame,
): Promise<SegmentEmbedding> {
  const spec = pack.manifest.segment;
  const S = spec.inputSize;
  const placement = fitPlacement(frame.width, frame.height, S, S, false);
  const planar = frameToPlanar(frame, S, S, placement, {
    scale: spec.pixelRange[1],
    ...(spec.mean && spec.std ? { mean: spec.mean, std: spec.std } : {}),
  });
  const image = new ort.Tensor('float32', planar, [1, 3, S, S]);
  const out = await runRoles(ort, pack.sessions.encoder, { image });
  try {
    const data = Float32Array.from(await out.take('embeddings'));
    return { data, dims: out.tensor('embeddings').dims, width: frame.width, height: frame.height };
  } finally {
    out.dispose();
    image.dispose();
  }
}

/** Decodes a click set on an encoded frame into a 0/255 mask at the frame's size. */
export async function decodePoints(
  pack: MediaPack<SegmentManifest>,
  ort: OrtModule,
  emb: SegmentEmbedding,
  points: SegmentPoint[],
): Promise<AlphaFrame> {
  if (!points.some((p) => p.positive))
    throw new EngineError(
      'invalid-request',
      'Add at least one positive point: click on the object to select it.',
      { points: 'No positive point.' },
    );
  for (const p of points) {
    if (!(p.x >= 0 && p.y >= 0 && p.x <= emb.width && p.y <= emb.height))
      throw new EngineError(
        'invalid-request',
        `Point (${p.x}, ${p.y}) is outside the ${emb.width}×${emb.height} frame.`,
        { points: 'A point is outside the frame.' },
      );
  }
  const { inputSize: S, maskInputSize: M } = pack.manifest.segment;
  const scale = S / Math.max(emb.width, emb.height);
  const n = points.length + 1;
  const coords = new Float32Array(2 * n);
  const labels = new Float32Array(n).fill(-1);
  points.forEach((p, i) => {
    coords[2 * i] = p.x * scale;
    coords[2 * i + 1] = p.y * scale;
    labels[i] = p.positive ? 1 : 0;
  });
  const feeds = {
    embeddings: new ort.Tensor('float32', emb.data, emb.dims),
    pointCoords: new ort.Tensor('float32', coords, [1, n, 2]),
    pointLabels: new ort.Tensor('float32', labels, [1, n]),
    maskInput: new ort.Tensor('float32', new Float32Array(M * M), [1, 1, M, M]),
    hasMaskInput: new ort.Tensor('float32', new Float32Array(1), [1]),
    origImSize:
      pack.manifest.segment.origImSize === 'shape'
        ? new ort.Tensor('float32', new Float32Array(emb.height * emb.width), [emb.height, emb.width])
        : new ort.Tensor('float32', Float32Array.of(emb.height, emb.width), [2]),
  };
  const out = await runRoles(ort, pack.sessions.decoder, feeds);
  try {
    const logits = await out.take('masks');
    if (logits.length !== emb.width * emb.height)
      throw new EngineError(
        'corrupt-model',
        `The decoder returned a ${out.tensor('masks').dims.join('×')} mask for a ${emb.width}×${emb.height} frame.`,
      );
    return { width: emb.width, height: emb.height, data: Uint8Array.from(logits, (v) => (v > 0 ? 255 : 0)) };
  } finally {
    out.dispose();
    for (const t of Object.values(feeds)) t.dispose();
  }
}
