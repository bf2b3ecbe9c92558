/**
 * Picks the next token from one row of logits: greedy (argmax) when temperature is 0, else a
 * seeded draw from softmax(logits / temperature) restricted to the top-k, so the same seed gives
 * the same text on every backend.
 */

export interface SamplingOptions {
  /** 0 (the default) decodes greedily. */
  temperature?: number;
  /** Keeps the k most likely tokens (default 40). */
  topK?: number;
}

export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/** `uniform` is a seeded [0, 1) generator (mulberry32). */
export function sampleToken(row: Float32Array, o: SamplingOptions, uniform: () => number): number {
  const temperature = o.temperature ?? 0;
  if (temperature <= 0) return argmax(row);
  const order = Array.from(row.keys()).sort((a, b) => (row[b] as number) - (row[a] as number) || a - b);
  const top = order.slice(0, Math.max(1, o.topK ?? 40));
  const max = row[top[0] as number] as number;
  const weights = top.map((i) => Math.exp(((row[i] as number) - max) / temperature));
  let r = uniform() * weights.reduce((a, b) => a + b, 0);
  for (let k = 0; k < top.length; k++) {
    r -= weights[k] as number;
    if (r < 0) return top[k] as number;
  }
  return top[top.length - 1] as number;
}
