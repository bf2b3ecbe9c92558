/** Install-time graph check (src/engine/pack/verify-graphs.ts): names the graph and the tensor or
 * external-data file that is wrong. */
import { describe, expect, it, vi } from 'vitest';
import type { OnnxInfo } from '../../src/engine/onnx/inspect';
import type { GraphContract } from '../../src/engine/pack/pack-files';
import { type PackFileReader, resolveBeside, verifyGraphs } from '../../src/engine/pack/verify-graphs';
import { rejection } from '../helpers/errors';

// The inspector is faked (it has its own tests in onnx-inspect.test.ts); checkGraphContract stays real.
const inspector = vi.hoisted(() => ({ fake: async (_size: number): Promise<unknown> => undefined }));
vi.mock('../../src/engine/onnx/inspect', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/engine/onnx/inspect')>()),
  inspectOnnx: (_read: unknown, size: number) => inspector.fake(size),
}));

const reader = (files: Record<string, number>): PackFileReader => ({
  size: async (p) => files[p],
  read: async (_p, _o, length) => new Uint8Array(length),
});
const contract: GraphContract = { file: 'onnx/transformer.onnx', inputs: ['hidden_states', 'timestep'], outputs: ['noise_pred'], externalData: [] };
const info = (over: Partial<OnnxInfo> = {}): OnnxInfo => ({
  inputs: [
    { name: 'hidden_states', type: 'float32', dims: [1, 4, 'T', 32, 32] },
    { name: 'timestep', type: 'float32', dims: [1] },
  ],
  outputs: [{ name: 'noise_pred', type: 'float32', dims: [1, 4, 'T', 32, 32] }],
  externalData: [],
  ...over,
});

describe('verifyGraphs', () => {
  it('passes a graph that has the mapped names and its external data', async () => {
    inspector.fake = async () => info({ externalData: ['transformer.onnx_data'] });
    await expect(verifyGraphs([{ ...contract, externalData: ['transformer.onnx_data'] }], reader({ 'onnx/transformer.onnx': 10, 'onnx/transformer.onnx_data': 5 }))).resolves.toBeUndefined();
  });

  it('names the graph and the tensor name it lacks', async () => {
    inspector.fake = async () => info({ inputs: [{ name: 'latents', type: 'float32', dims: [] }, { name: 'timestep', type: 'float32', dims: [1] }] });
    const err = await rejection(verifyGraphs([contract], reader({ 'onnx/transformer.onnx': 10 })));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain('onnx/transformer.onnx has no input named "hidden_states" (it has: latents, timestep)');
  });

  it('names an external-data file the pack lacks, resolved beside the graph', async () => {
    inspector.fake = async () => info({ externalData: ['transformer.onnx_data'] });
    const err = await rejection(verifyGraphs([contract], reader({ 'onnx/transformer.onnx': 10 })));
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain('onnx/transformer.onnx needs external data file onnx/transformer.onnx_data');
  });

  it('reports a graph file the pack lacks as missing-file, and an unreadable one as corrupt-model', async () => {
    inspector.fake = async () => info();
    expect((await rejection(verifyGraphs([contract], reader({})))).code).toBe('missing-file');
    inspector.fake = async () => Promise.reject(new Error('truncated protobuf'));
    const err = await rejection(verifyGraphs([contract], reader({ 'onnx/transformer.onnx': 10 })));
    expect(err.code).toBe('corrupt-model');
    expect(err.message).toContain('onnx/transformer.onnx could not be read as an ONNX graph (truncated protobuf)');
  });
});

describe('resolveBeside', () => {
  it('resolves external-data locations relative to the graph folder', () => {
    expect(resolveBeside('x.onnx', 'x.onnx_data')).toBe('x.onnx_data');
    expect(resolveBeside('onnx/a/x.onnx', './x.data')).toBe('onnx/a/x.data');
    expect(resolveBeside('onnx/a/x.onnx', '../shared/w.bin')).toBe('onnx/shared/w.bin');
    expect(resolveBeside('x.onnx', '../w.bin')).toBeUndefined();
  });
});
