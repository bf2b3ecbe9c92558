/**
 * The VAE ends of a generation: the i2v start image in through the VAE encoder, and the final
 * latent out through the pack's pre-process graph (or scale/shift/layout) and the VAE decoder.
 */
import { EngineError } from '../errors';
import { dataUrlBytes, decodePng } from '../media/png-decode';
import { parseResolution } from '../pack/header';
import type { LoadedPack } from '../pack/load-pack';
import type { TaskRequest } from '../request';
import { type OrtModule, type OrtTensor, readFloats } from '../runtime';
import { type FrameStack, toRgbaFrames } from './frames';
import type { StageInspector } from './generate';
import { cthw, decoderInput, decoderTakesLatentAsIs, normaliseEncoded } from './latents';
import type { TensorScope } from './tensor-scope';

/** i2v: the start image through the VAE encoder, normalised like the transformer's latents ([C, h, w]). */
export async function encodeStartImage(
  pack: LoadedPack,
  ort: OrtModule,
  r: TaskRequest,
  shape: number[],
): Promise<Float32Array> {
  const encoder = pack.components.vaeEncoder;
  const spec = pack.manifest.components.vaeEncoder;
  if (!encoder || !spec || !r.startImage)
    throw new EngineError('invalid-request', 'This image-to-video model needs a start image.', {
      startImage: 'required',
    });
  const img = decodePng(dataUrlBytes(r.startImage));
  const { width: w, height: h } = parseResolution(r.resolution) ?? { width: 0, height: 0 };
  if (img.width !== w || img.height !== h)
    throw new EngineError(
      'invalid-request',
      `The start image is ${img.width}×${img.height} but the task is ${r.resolution}.`,
      { startImage: 'wrong size' },
    );
  const [lo, hi] = spec.imageRange;
  const plane = w * h;
  const data = new Float32Array(3 * plane);
  for (let ch = 0; ch < 3; ch++)
    for (let p = 0; p < plane; p++)
      data[ch * plane + p] = lo + ((img.rgba[p * 4 + ch] as number) / 255) * (hi - lo);
  const dims = spec.imageLayout === 'NCTHW' ? [1, 3, 1, h, w] : [1, 3, h, w];
  const out = (await encoder.run({ image: new ort.Tensor('float32', data, dims) })).latents as OrtTensor;
  const encoded = (await readFloats(out)).slice();
  const [c, , lh, lw] = cthw(shape);
  if (encoded.length !== c * lh * lw)
    throw new EngineError(
      'invalid-manifest',
      `The VAE encoder returned ${encoded.length} values; one latent frame is ${c}×${lh}×${lw}. Fix components.vaeEncoder in pack.json.`,
    );
  return normaliseEncoded(pack.manifest.components.vaeDecoder, encoded, c);
}

/** Latent → RGBA frames through the pack's pre-process graph or scale/shift/layout, then the VAE decoder. */
export async function decodeFrames(
  pack: LoadedPack,
  ort: OrtModule,
  x: OrtTensor,
  shape: number[],
  scope: TensorScope,
  inspect?: StageInspector,
): Promise<FrameStack> {
  const spec = pack.manifest.components.vaeDecoder;
  let input: OrtTensor;
  const pre = pack.components.vaePreProcess;
  if (pre) input = scope.keep((await pre.run({ latents: x })).latents as OrtTensor);
  else if (decoderTakesLatentAsIs(spec, shape)) input = x;
  else {
    const { data, dims } = decoderInput(spec, await readFloats(x), shape);
    input = new ort.Tensor('float32', data, dims);
  }
  const sample = (await pack.vaeDecoder.run({ latents: input })).frames as OrtTensor;
  const pixels = await readFloats(sample);
  await inspect?.({ stage: 'vae-decoder', output: pixels, range: spec.outputRange });
  return toRgbaFrames(pixels, sample.dims, spec.outputLayout, spec.outputRange);
}
