/**
 * Shared machinery of the flow-matching solvers: the public types, step-order bookkeeping, the
 * x0 history multistep methods keep, and the serialisable state a crash-resume checkpoint stores.
 * Convention: x_σ = (1 − σ)·x0 + σ·noise, the model predicts v = noise − x0, so x0 = x − σ·v; the
 * log-SNR is λ(σ) = log((1 − σ)/σ), −∞ at σ = 1 and +∞ at σ = 0.
 */

/** The solvers `createFlowSolver` knows. */
export type SolverName = 'euler' | 'unipc' | 'dpmpp-2m';

/** Every solver name, for validation and UI lists. */
export const SOLVER_NAMES: readonly SolverName[] = ['euler', 'unipc', 'dpmpp-2m'];

/** A solver's progress as plain numbers and arrays (JSON- and structured-clone-safe). */
export interface SolverState {
  name: SolverName;
  /** The schedule the solver runs on; `restore` refuses a state taken on other sigmas. */
  sigmas: number[];
  /** The next step index `step` expects. */
  next: number;
  /** Recent x0 predictions, oldest first (at most two; empty for Euler). */
  outputs: number[][];
  /** UniPC: the (corrected) sample of the last step; null otherwise. */
  lastSample: number[] | null;
  /** UniPC: the order of the last predictor step, reused by the next corrector. */
  order: number;
}

/** A solver over CPU arrays; call `step` for i = 0 … N − 1 in order. */
export interface FlowSolver {
  readonly name: SolverName;
  /** x_{i+1} from x_i and the model output (velocity) at step i; returns a new array. */
  step(i: number, x: Float32Array, modelOutput: Float32Array): Float32Array;
  /** A snapshot to resume from (copies, safe to keep). */
  state(): SolverState;
  /** Continues from a snapshot taken by the same solver on the same sigmas. */
  restore(s: SolverState): void;
}

/** log-SNR of a flow sigma: log(α/σ) with α = 1 − σ (±∞ at the ends, never NaN for σ ∈ [0, 1]). */
export function lambda(sigma: number): number {
  return Math.log(1 - sigma) - Math.log(sigma);
}

/** Base class: checks step order and shapes, keeps the x0 history, serialises state. */
export abstract class SolverBase implements FlowSolver {
  abstract readonly name: SolverName;
  protected readonly sigmas: readonly number[];
  /** Number of steps N (sigmas has N + 1 entries). */
  protected readonly n: number;
  protected next = 0;
  protected outputs: Float32Array[] = [];
  protected lastSample: Float32Array | null = null;
  protected order = 1;

  constructor(sigmas: readonly number[]) {
    this.sigmas = [...sigmas];
    this.n = sigmas.length - 1;
  }

  step(i: number, x: Float32Array, modelOutput: Float32Array): Float32Array {
    if (i !== this.next) {
      throw new RangeError(
        `${this.name}: expected step ${this.next} of ${this.n}, got ${i}; steps run in order (restore() a state to resume).`,
      );
    }
    if (x.length !== modelOutput.length) {
      throw new RangeError(
        `${this.name}: sample has ${x.length} values but the model output has ${modelOutput.length}.`,
      );
    }
    const out = this.advance(i, x, modelOutput);
    this.next = i + 1;
    return out;
  }

  /** One step; `i` is already validated. */
  protected abstract advance(i: number, x: Float32Array, v: Float32Array): Float32Array;

  /** The sigma at index i (callers stay within 0 … N). */
  protected sigma(i: number): number {
    return this.sigmas[i] as number;
  }

  /** x0 = x − σ_i·v, and appends it to the history (keeps the last two). */
  protected pushX0(i: number, x: Float32Array, v: Float32Array): Float32Array {
    const s = this.sigma(i);
    const m = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) m[k] = (x[k] as number) - s * (v[k] as number);
    this.outputs = [...this.outputs, m].slice(-2);
    return m;
  }

  state(): SolverState {
    return {
      name: this.name,
      sigmas: [...this.sigmas],
      next: this.next,
      outputs: this.outputs.map((m) => Array.from(m)),
      lastSample: this.lastSample ? Array.from(this.lastSample) : null,
      order: this.order,
    };
  }

  restore(s: SolverState): void {
    const bad = (why: string): never => {
      throw new RangeError(
        `Cannot restore ${this.name} solver state: ${why}. Start the run again from step 0.`,
      );
    };
    if (s.name !== this.name) bad(`it was taken by '${s.name}'`);
    if (s.sigmas.length !== this.sigmas.length || s.sigmas.some((v, k) => v !== this.sigmas[k]))
      bad('the sigmas differ');
    if (!Number.isInteger(s.next) || s.next < 0 || s.next > this.n)
      bad(`step ${s.next} is outside 0…${this.n}`);
    if (s.outputs.length > 2 || s.outputs.length > s.next) bad('the x0 history is too long');
    if (s.order !== 1 && s.order !== 2) bad(`order ${s.order} is not 1 or 2`);
    this.next = s.next;
    this.outputs = s.outputs.map((m) => Float32Array.from(m));
    this.lastSample = s.lastSample ? Float32Array.from(s.lastSample) : null;
    this.order = s.order;
  }
}

/** Checks that sigmas are a flow schedule: ≥ 2 values in [0, 1], strictly decreasing, last 0. */
export function checkFlowSigmas(sigmas: readonly number[]): void {
  const ok =
    sigmas.length >= 2 &&
    sigmas.every(
      (s, k) => Number.isFinite(s) && s >= 0 && s <= 1 && (k === 0 || s < (sigmas[k - 1] as number)),
    ) &&
    sigmas[sigmas.length - 1] === 0;
  if (!ok) {
    throw new RangeError(
      `Flow solvers need at least 2 sigmas in [0, 1], strictly decreasing and ending in 0; got [${sigmas.join(', ')}]. Eps-model schedules (e.g. 'eps-trailing') are stepped by the pipeline, not these solvers.`,
    );
  }
}
