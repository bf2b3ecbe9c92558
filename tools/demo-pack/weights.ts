/** Seeded random weights for the generated packs: mulberry32 uniforms in ±scale, reproducible per seed. */
import { mulberry32 } from '../../src/engine/random';

/** A row-major [rows, cols] matrix of uniform values in [−scale, scale) from `seed`. */
export function randomMatrix(rows: number, cols: number, seed: number, scale: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: rows * cols }, () => (rand() * 2 - 1) * scale);
}
