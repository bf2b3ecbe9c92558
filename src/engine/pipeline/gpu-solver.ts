/**
 * UniPC and DPM++ 2M on the device: the solvers' history (x0 predictions, UniPC's last sample)
 * stays in the backend's tensors and every update is one run of the generated linear-combination
 * graph (step-graph.ts `combineModel`) with coefficients from schedule/coefficients.ts, the same
 * the CPU solvers use; only four scalars go up per update and nothing comes back. `state()` reads
 * the history for a checkpoint; `restore()` puts it back, so a resumed run continues bit for bit.
 * On the wasm backend the same update runs as a JavaScript loop over the tensors' data
 * (`hostCombine`, host-update.ts): there a graph run costs more than the arithmetic.
 */
import {
  dpmCoefficients,
  unipcCorrectCoefficients,
  unipcPredictCoefficients,
} from '../schedule/coefficients';
import type { SolverName, SolverState } from '../schedule/solvers';
import { type OrtModule, type OrtSession, type OrtTensor, readFloats } from '../runtime';
import { linearCombination } from './host-update';
import { COMBINE_TERMS } from './step-graph';

type Term = [number, OrtTensor];

/** Σ k·t over up to four terms, as a new tensor the caller owns. */
export type Combine = (terms: Term[]) => Promise<OrtTensor>;

/** One run of the generated combine graph (unused slots repeat the first tensor with k = 0). */
export function graphCombine(ort: OrtModule, combine: OrtSession): Combine {
  return async (terms) => {
    const feeds: Record<string, OrtTensor> = {};
    for (let k = 0; k < COMBINE_TERMS; k++) {
      const [c, t] = terms[k] ?? [0, (terms[0] as Term)[1]];
      feeds[`k${k}`] = new ort.Tensor('float32', Float32Array.of(c), [1]);
      feeds[`t${k}`] = t;
    }
    return (await combine.run(feeds)).out as OrtTensor;
  };
}

/** The same sum in JavaScript over CPU tensors' data (the wasm backend). */
export function hostCombine(ort: OrtModule): Combine {
  return async (terms) => {
    const dims = (terms[0] as Term)[1].dims;
    return new ort.Tensor(
      'float32',
      linearCombination(terms.map(([k, t]) => [k, t.data as Float32Array])),
      dims,
    );
  };
}

export class GpuSolver {
  private next = 0;
  private outputs: OrtTensor[] = [];
  private lastSample: OrtTensor | null = null;
  private order = 1;

  /** `vSign` −1 for packs whose transformer predicts the negated velocity. */
  constructor(
    readonly name: Exclude<SolverName, 'euler'>,
    private readonly sigmas: readonly number[],
    private readonly ort: OrtModule,
    private readonly lin: Combine,
    private readonly vSign: 1 | -1,
  ) {}

  /** x_{i+1} from x_i and the (CFG-combined) velocity; the caller owns x, v and the result. */
  async step(i: number, x: OrtTensor, v: OrtTensor): Promise<OrtTensor> {
    if (i !== this.next)
      throw new RangeError(
        `${this.name}: expected step ${this.next}, got ${i}; steps run in order (restore() a state to resume).`,
      );
    const sigma = this.sigmas[i] as number;
    const previous = this.outputs[this.outputs.length - 1];
    const older = this.outputs.length > 1 ? this.outputs[0] : undefined;
    const m = await this.lin([
      [1, x],
      [-sigma * this.vSign, v],
    ]);
    this.outputs.push(m);
    const dropped = this.outputs.length > 2 ? this.outputs.shift() : undefined; // still `older` for this step
    const out =
      this.name === 'dpmpp-2m'
        ? await this.dpm(i, x, m, previous)
        : await this.unipc(i, x, m, previous, older);
    dropped?.dispose();
    this.next = i + 1;
    return out;
  }

  private dpm(i: number, x: OrtTensor, m0: OrtTensor, m1: OrtTensor | undefined): Promise<OrtTensor> {
    const { ratio, c0, c1 } = dpmCoefficients(this.sigmas, i, m1 !== undefined);
    return this.lin(
      m1 && c1 !== 0
        ? [
            [ratio, x],
            [c0 + c1, m0],
            [-c1, m1],
          ]
        : [
            [ratio, x],
            [c0, m0],
          ],
    );
  }

  private async unipc(
    i: number,
    x: OrtTensor,
    m: OrtTensor,
    previous: OrtTensor | undefined,
    older: OrtTensor | undefined,
  ): Promise<OrtTensor> {
    let sample: OrtTensor;
    if (previous && this.lastSample) {
      const order2 = this.order === 2 && older !== undefined;
      const { ratio, c0, cT, cD } = unipcCorrectCoefficients(this.sigmas, i, order2);
      const terms: Term[] = [
        [ratio, this.lastSample],
        [c0 - cT - (order2 ? cD : 0), previous],
        [cT, m],
      ];
      if (order2 && older && cD !== 0) terms.push([cD, older]);
      sample = await this.lin(terms);
    } else {
      sample = await this.lin([[1, x]]); // a copy: the caller frees x
    }
    this.order = Math.min(2, this.sigmas.length - 1 - i, this.outputs.length);
    this.lastSample?.dispose();
    this.lastSample = sample;
    const m1 = this.order === 2 ? previous : undefined;
    const { ratio, c0, cD } = unipcPredictCoefficients(this.sigmas, i, m1 !== undefined);
    return this.lin(
      m1 && cD !== 0
        ? [
            [ratio, sample],
            [c0 - cD, m],
            [cD, m1],
          ]
        : [
            [ratio, sample],
            [c0, m],
          ],
    );
  }

  /** The history as plain data (reads it back: checkpoints only). */
  async state(): Promise<SolverState> {
    const read = async (t: OrtTensor) => Array.from(await readFloats(t));
    return {
      name: this.name,
      sigmas: [...this.sigmas],
      next: this.next,
      outputs: await Promise.all(this.outputs.map(read)),
      lastSample: this.lastSample ? await read(this.lastSample) : null,
      order: this.order,
    };
  }

  /** Continues from a checkpoint's state (validated by the CPU solver's `restore` first). */
  restore(s: SolverState, dims: readonly number[]): void {
    const up = (a: number[]) => new this.ort.Tensor('float32', Float32Array.from(a), dims);
    this.dispose();
    this.next = s.next;
    this.outputs = s.outputs.map(up);
    this.lastSample = s.lastSample ? up(s.lastSample) : null;
    this.order = s.order;
  }

  dispose(): void {
    for (const t of this.outputs) t.dispose();
    this.lastSample?.dispose();
    this.outputs = [];
    this.lastSample = null;
  }
}
