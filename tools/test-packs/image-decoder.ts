/**
 * The image VAE decoder of the text-to-image test packs (Z-Image, SD-Turbo contracts): NCHW
 * latent → NCHW RGB in [−1, 1] by a random 1×1 channel mix, tanh, and nearest ×factor upsampling,
 * with free batch and spatial dimensions under the real graph's dimension names.
 */
import { type Dim, GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { Params } from './params';

export interface ImageDecoderOptions {
  seed: number;
  channels: number;
  /** Spatial upsampling factor (H = factor·h). */
  factor: number;
  /** Pre-tanh gain of the channel mix for a unit-variance decoder input. */
  gain: number;
  input: { name: string; dims: Dim[] };
  output: { name: string; dims: Dim[] };
}

export function imageDecoder(o: ImageDecoderOptions): Uint8Array {
  const g = new GraphBuilder('vae_decoder');
  const p = new Params(g, o.seed);
  const z = g.input(o.input.name, 'float32', o.input.dims);
  const w = p.weight('decoder.conv_in.weight', [3, o.channels, 1, 1], o.gain * Math.sqrt(3 / o.channels));
  const mix = g.op('Conv', [z, w, p.weight('decoder.conv_in.bias', [3], 0.2)], { kernel_shape: [1, 1] });
  const f = o.factor;
  const up = g.op('Resize', [g.op('Tanh', [mix]), '', g.constF([1, 1, f, f])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  g.op('Identity', [up], {}, o.output.name);
  g.output(o.output.name, 'float32', o.output.dims);
  return g.toModel({ doc: 'WebGP test pack VAE decoder (random weights)' });
}
