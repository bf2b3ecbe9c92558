/** Backend choice (src/engine/capabilities.ts chooseBackend): the capability → EP table with its
 * fallbacks and the reason shown to the user. */
import { describe, expect, it } from 'vitest';
import { type BackendPreference, type Capabilities, chooseBackend } from '../../src/engine/capabilities';
import { CPU_ONLY } from '../helpers/ort-node';

const GPU: Capabilities = {
  ...CPU_ONLY,
  webgpu: true,
  shaderF16: false,
  adapter: 'nvidia hopper',
  maxBufferSize: 2 ** 30,
};
const GPU_F16: Capabilities = { ...GPU, shaderF16: true };

describe('chooseBackend', () => {
  it.each<[string, Capabilities, BackendPreference, boolean, string, RegExp]>([
    ['no WebGPU', CPU_ONLY, 'auto', false, 'wasm', /WebGPU is not available/],
    ['no WebGPU, webgpu asked', CPU_ONLY, 'webgpu', false, 'wasm', /WebGPU is not available/],
    ['fp16 graph without shader-f16', GPU, 'auto', true, 'wasm', /needs the WebGPU shader-f16 feature/],
    ['wasm preferred', GPU_F16, 'wasm', false, 'wasm', /^WebAssembly \(CPU\) was selected\.$/],
    ['WebGPU, fp32 graph', GPU, 'auto', false, 'webgpu', /^WebGPU on nvidia hopper\.$/],
    ['WebGPU with shader-f16, fp16 graph', GPU_F16, 'webgpu', true, 'webgpu', /^WebGPU on nvidia hopper\.$/],
  ])('%s → %s', (_label, caps, pref, needsF16, backend, reason) => {
    const choice = chooseBackend(caps, pref, needsF16);
    expect(choice.backend).toBe(backend);
    expect(choice.reason).toMatch(reason);
  });
});
