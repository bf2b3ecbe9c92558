/**
 * The engine's helper graph for one flow-matching Euler step with classifier-free guidance,
 * run on the same backend as the transformer so latents never leave the GPU:
 *   latents_out = latents + dt · (v_uncond + g · (v_cond − v_uncond)).
 */
import { GraphBuilder } from '../onnx/graph-builder';

const DIMS = ['b', 'c', 't', 'h', 'w'];

export function eulerCfgStepModel(): Uint8Array {
  const g = new GraphBuilder('euler_cfg_step');
  const x = g.input('latents', 'float32', DIMS);
  const vc = g.input('v_cond', 'float32', DIMS);
  const vu = g.input('v_uncond', 'float32', DIMS);
  const dt = g.input('dt', 'float32', [1]);
  const gs = g.input('guidance', 'float32', [1]);
  const v = g.op('Add', [vu, g.op('Mul', [gs, g.op('Sub', [vc, vu])])]);
  g.op('Add', [x, g.op('Mul', [dt, v])], {}, 'latents_out');
  g.output('latents_out', 'float32', DIMS);
  return g.toModel({ doc: 'WebGP Euler + CFG step' });
}
