/**
 * UniPC (Zhao et al. 2023) as diffusers' UniPCMultistepScheduler runs it for FastWan: flow sigmas,
 * flow_prediction converted to x0, predict_x0, solver_type 'bh2', solver_order 2,
 * lower_order_final, final sigma 0, corrector (UniC) on every step after the first.
 * Ports `multistep_uni_p_bh_update` / `multistep_uni_c_bh_update`; scalars are float64 (diffusers:
 * float32), samples float32.
 *
 * Infinite log-SNRs. σ = 0 (last step) gives λ = +∞: diffusers relies on expm1(−∞) = −1 and the
 * forced order 1 there, so the step returns the x0 prediction exactly; JS arithmetic does the same.
 * σ = 1 (first sigma of our flow spacings; diffusers' own flow sigmas start just below 1) gives
 * λ = −∞: the first step and the first corrector come out exact through the same limits, but a
 * history term whose λ is −∞ has rk = ±∞, where diffusers' 2×2 solve would produce NaN. We use the
 * limit of its formulas instead: that term's D1 vanishes and the corrector weights become
 * ρ = [0, b1] (ρ_p's fixed 0.5 multiplies a zero D1), i.e. the step behaves as first order.
 */
import { unipcCorrectCoefficients, unipcPredictCoefficients } from './coefficients';
import { SolverBase } from './solver-base';

/** UniPC-bh2, order 2, x0 prediction, on flow sigmas. */
export class UniPcSolver extends SolverBase {
  readonly name = 'unipc' as const;

  protected advance(i: number, x: Float32Array, v: Float32Array): Float32Array {
    const previous = this.outputs[this.outputs.length - 1];
    const older = this.outputs.length > 1 ? this.outputs[0] : undefined;
    const m = this.pushX0(i, x, v);
    // UniC refines x_i with the new model output before UniP moves it on (the model already ran on
    // the uncorrected x_i; diffusers does the same).
    const sample =
      previous && this.lastSample ? this.correct(i, m, previous, older, this.lastSample) : x.slice();
    // lower_order_final: the last step is first order; the first step has no history.
    this.order = Math.min(2, this.n - i, this.outputs.length);
    this.lastSample = sample;
    return this.predict(i, sample, m, this.order === 2 ? previous : undefined);
  }

  /** UniP: sample at σ_i → σ_{i+1} from x0 predictions m0 (at σ_i) and m1 (at σ_{i−1}). */
  private predict(i: number, x: Float32Array, m0: Float32Array, m1: Float32Array | undefined): Float32Array {
    const { ratio, c0, cD } = unipcPredictCoefficients(this.sigmas, i, m1 !== undefined);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const a = m0[k] as number;
      const d = m1 && cD !== 0 ? (m1[k] as number) - a : 0;
      out[k] = ratio * (x[k] as number) + c0 * a + cD * d;
    }
    return out;
  }

  /**
   * UniC at step i: re-does the step σ_{i−1} → σ_i from the last sample with the new x0 prediction
   * mT, using the order of the predictor that made x_i. m0 is at σ_{i−1}, m1 at σ_{i−2}.
   */
  private correct(
    i: number,
    mT: Float32Array,
    m0: Float32Array,
    m1: Float32Array | undefined,
    last: Float32Array,
  ): Float32Array {
    const order2 = this.order === 2 && m1 !== undefined;
    const { ratio, c0, cT, cD } = unipcCorrectCoefficients(this.sigmas, i, order2);
    const out = new Float32Array(last.length);
    for (let k = 0; k < last.length; k++) {
      const a = m0[k] as number;
      const d = order2 && cD !== 0 ? (m1[k] as number) - a : 0;
      out[k] = ratio * (last[k] as number) + c0 * a + cT * ((mT[k] as number) - a) + cD * d;
    }
    return out;
  }
}
