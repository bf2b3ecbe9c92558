/**
 * Test helpers: onnxruntime-node as the engine's OrtModule (its CPU provider is called "cpu",
 * not "wasm"), and a pack source reading the generated packs from disk.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import type { Capabilities } from '../../src/engine/capabilities';
import type { PackSource } from '../../src/engine/pack/pack-source';
import type { OrtModule } from '../../src/engine/runtime';

/** ORT-node's binding takes external data as buffers only; the engine hands Blobs (as the browser build wants). */
async function withBufferedExternalData(options: ortNode.InferenceSession.SessionOptions | undefined) {
  const ext = options?.externalData;
  if (!ext) return options;
  const buffered = await Promise.all(
    ext.map(async (x) =>
      typeof x === 'object' && x.data instanceof Blob
        ? { path: x.path, data: new Uint8Array(await x.data.arrayBuffer()) }
        : x,
    ),
  );
  return { ...options, externalData: buffered };
}

export const ortNodeModule: OrtModule = {
  InferenceSession: {
    create: async (bytes, options) =>
      ortNode.InferenceSession.create(bytes, {
        ...(await withBufferedExternalData(options as never)),
        executionProviders: ['cpu'],
      }) as never,
  },
  Tensor: ortNode.Tensor as unknown as OrtModule['Tensor'],
};

export const PACKS_DIR = join(import.meta.dirname, '..', '..', 'public', 'models');

export function diskPackSource(packId: string, dir = PACKS_DIR): PackSource {
  const read = async (f: string) => new Uint8Array(await readFile(join(dir, packId, f)));
  return { label: packId, readBytes: read, readBlob: async (f) => new Blob([await read(f)]) };
}

export const CPU_ONLY: Capabilities = {
  webgpu: false,
  shaderF16: false,
  maxBufferSize: 0,
  adapter: 'none',
  threads: 2,
  crossOriginIsolated: false,
  webCodecs: false,
};
