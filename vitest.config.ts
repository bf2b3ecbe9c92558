/** Vitest config: engine, tools and storage unit tests, in Node (real onnxruntime-node / -web wasm). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // Vitest's default is one worker fewer than the cores: a single worker on the 2-core CI machine.
    // Two files at a time finished all 92 files in 404 s where one at a time did 37 in 600 s (same loaded machine).
    maxWorkers: 2,
  },
});
