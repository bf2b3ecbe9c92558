/**
 * The engine's helper graphs, run on the same backend as the transformer so latents never leave
 * the GPU. They take tensors of any rank ([1, C, T, h, w] video or [1, C, h, w] image latents):
 *  - Euler + CFG step: latents_out = latents + dt · (v_uncond + g · (v_cond − v_uncond));
 *  - Euler step without CFG: latents_out = latents + dt · v (two ops over the latent, not five);
 *  - scale: out = x · s (the eps UNet's input scaling 1/√(σ² + 1));
 *  - blend: out = x · keep + fixed (pins conditioning frames, e.g. the i2v start frame);
 *  - combine: out = k0·t0 + k1·t1 + k2·t2 + k3·t3 (the multistep solvers' updates, ../schedule/coefficients.ts);
 *  - concat: out = [a | b] on the last axis (SDXL's two text encoders' hidden states);
 *  - zero-fill: out = x · keep, keep [1, S, 1] of 1 (a prompt token) and 0 (padding): FastWan's
 *    `zeroFillPadding` on the device. It takes float32, what a component runner hands out (an fp16
 *    encoder's output is cast on the device first, device-cast.ts); padded rows become ±0.
 */
import { GraphBuilder } from '../onnx/graph-builder';

export function eulerCfgStepModel(): Uint8Array {
  const g = new GraphBuilder('euler_cfg_step');
  const x = g.input('latents', 'float32', null);
  const vc = g.input('v_cond', 'float32', null);
  const vu = g.input('v_uncond', 'float32', null);
  const dt = g.input('dt', 'float32', [1]);
  const gs = g.input('guidance', 'float32', [1]);
  const v = g.op('Add', [vu, g.op('Mul', [gs, g.op('Sub', [vc, vu])])]);
  g.op('Add', [x, g.op('Mul', [dt, v])], {}, 'latents_out');
  g.output('latents_out', 'float32', null);
  return g.toModel({ doc: 'WebGP Euler + CFG step' });
}

export function eulerModel(): Uint8Array {
  const g = new GraphBuilder('euler_step');
  const x = g.input('latents', 'float32', null);
  const v = g.input('v', 'float32', null);
  g.op('Add', [x, g.op('Mul', [g.input('dt', 'float32', [1]), v])], {}, 'latents_out');
  g.output('latents_out', 'float32', null);
  return g.toModel({ doc: 'WebGP Euler step' });
}

export function scaleModel(): Uint8Array {
  const g = new GraphBuilder('scale');
  g.op('Mul', [g.input('x', 'float32', null), g.input('s', 'float32', [1])], {}, 'out');
  g.output('out', 'float32', null);
  return g.toModel({ doc: 'WebGP scale' });
}

export function blendModel(): Uint8Array {
  const g = new GraphBuilder('blend');
  g.op(
    'Add',
    [
      g.op('Mul', [g.input('x', 'float32', null), g.input('keep', 'float32', null)]),
      g.input('fixed', 'float32', null),
    ],
    {},
    'out',
  );
  g.output('out', 'float32', null);
  return g.toModel({ doc: 'WebGP blend' });
}

/** Terms of `combineModel`: UniPC's corrector, the largest update, has four. */
export const COMBINE_TERMS = 4;

export function combineModel(): Uint8Array {
  const g = new GraphBuilder('combine');
  const terms = Array.from({ length: COMBINE_TERMS }, (_, k) =>
    g.op('Mul', [g.input(`k${k}`, 'float32', [1]), g.input(`t${k}`, 'float32', null)]),
  );
  let sum = terms[0] as string;
  for (let k = 1; k < COMBINE_TERMS; k++)
    sum = g.op('Add', [sum, terms[k] as string], {}, k === COMBINE_TERMS - 1 ? 'out' : undefined);
  g.output('out', 'float32', null);
  return g.toModel({ doc: 'WebGP linear combination' });
}

export function concatModel(): Uint8Array {
  const g = new GraphBuilder('concat');
  g.op('Concat', [g.input('a', 'float32', null), g.input('b', 'float32', null)], { axis: -1 }, 'out');
  g.output('out', 'float32', null);
  return g.toModel({ doc: 'WebGP concat on the last axis' });
}

export function zeroFillModel(): Uint8Array {
  const g = new GraphBuilder('zero_fill');
  g.op('Mul', [g.input('x', 'float32', null), g.input('keep', 'float32', [1, 'sequence', 1])], {}, 'out');
  g.output('out', 'float32', null);
  return g.toModel({ doc: 'WebGP zero-fill of padded positions' });
}
