/** engine.forget(packId) (src/engine/engine.ts): after a pack is deleted or reinstalled, the next
 * job loads it afresh from its source instead of reusing cached sessions; other packs stay cached. */
import { describe, expect, it } from 'vitest';
import type { PackSource } from '../../src/engine/pack/pack-source';
import { diskPackSource } from '../helpers/ort-node';
import { cpuEngine, smallRequest } from '../helpers/packs';

describe('engine.forget', () => {
  it('drops the cached sessions of one pack only', async () => {
    const graphReads: string[] = [];
    const counting = (id: string): PackSource => {
      const disk = diskPackSource(id);
      return {
        ...disk,
        readBytes: (f) => (f.endsWith('.onnx') && graphReads.push(`${id}/${f}`), disk.readBytes(f)),
      };
    };
    const engine = cpuEngine(counting);
    const run = (packId: string) => engine.generate(packId, smallRequest(packId, { steps: 1, frames: 1 }));
    await run('demo-t2v');
    await run('test-t2v-random');
    await run('demo-t2v');
    expect(graphReads.filter((r) => r.startsWith('demo-t2v/'))).toHaveLength(3);
    await engine.forget('demo-t2v');
    await run('demo-t2v');
    await run('test-t2v-random');
    expect(graphReads.filter((r) => r.startsWith('demo-t2v/'))).toHaveLength(6);
    expect(graphReads.filter((r) => r.startsWith('test-t2v-random/'))).toHaveLength(3);
    await engine.dispose();
  });
});
