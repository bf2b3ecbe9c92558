/**
 * The engine's helper graphs (step-graph.ts) as JavaScript loops, for the wasm backend: there
 * every tensor already lives in JS memory, and a session.run of a two-op graph costs copies into
 * and out of the wasm heap and a thread-pool dispatch, which the bench measured as long as a small
 * transformer run (demo-t2v at 256²×33: step 2.9× the bare transformer run). Each loop does its
 * graph's float32 arithmetic node for node (Math.fround after every op, as each ONNX node rounds
 * its output), so results equal the graph's bit for bit (tests/unit/host-update.test.ts). The
 * Euler updates and the i2v pin write into the latent in place: no allocation per step.
 */
const f = Math.fround;

/** x += dt·v in place (`eulerModel`). */
export function eulerInPlace(x: Float32Array, v: Float32Array, dt: number): void {
  const d = f(dt);
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) + f(d * (v[i] as number));
}

/** x += dt·(vu + g·(vc − vu)) in place (`eulerCfgStepModel`). */
export function eulerCfgInPlace(
  x: Float32Array,
  vc: Float32Array,
  vu: Float32Array,
  dt: number,
  guidance: number,
): void {
  const [d, g] = [f(dt), f(guidance)];
  for (let i = 0; i < x.length; i++) {
    const u = vu[i] as number;
    x[i] = (x[i] as number) + f(d * f(u + f(g * f((vc[i] as number) - u))));
  }
}

/** vu + g·(vc − vu): the CFG combination the multistep solvers start from (the step graph with zero latents, dt 1). */
export function cfgCombined(vc: Float32Array, vu: Float32Array, guidance: number): Float32Array {
  const g = f(guidance);
  const out = new Float32Array(vc.length);
  for (let i = 0; i < out.length; i++) {
    const u = vu[i] as number;
    out[i] = u + f(g * f((vc[i] as number) - u));
  }
  return out;
}

/** x·s as a new array (`scaleModel`: the ε UNet's input scaling). */
export function scaled(x: Float32Array, s: number): Float32Array {
  const k = f(s);
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = k * (x[i] as number);
  return out;
}

/** x = x·keep + fixed in place (`blendModel`: pins the i2v start frame). */
export function blendInPlace(x: Float32Array, keep: Float32Array, fixed: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] = f((x[i] as number) * (keep[i] as number)) + (fixed[i] as number);
}

/**
 * Σ k·t over the given terms, as a new array (`combineModel`, in the same order; the graph's
 * padding slots, 0·t0, are not added: they add ±0, or NaN where t0 is infinite).
 */
export function linearCombination(terms: readonly (readonly [number, Float32Array])[]): Float32Array {
  const out = new Float32Array(terms[0]?.[1].length ?? 0);
  terms.forEach(([k, t], n) => {
    const c = f(k);
    if (n === 0) for (let i = 0; i < out.length; i++) out[i] = c * (t[i] as number);
    else for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + f(c * (t[i] as number));
  });
  return out;
}
