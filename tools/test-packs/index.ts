/**
 * Generates the test packs into test-packs/<id>/: tiny random-weight graphs with the exact file
 * layout, tensor names, dtypes and layouts of real packs (REAL_PACKS.md §1, §2a, §3a), for engine
 * pipeline tests in Node and headless Chromium. Listed in docs/pack-format.md ("Test packs").
 */
import { join } from 'node:path';
import { writeFastWanPack } from './fastwan';
import { writeSdTurboPack } from './sdturbo';
import { writeZImagePack } from './zimage';

export const TEST_PACK_IDS = ['test-zimage', 'test-sdturbo', 'test-fastwan', 'test-fastwan-i2v', 'test-fastwan-81'] as const;

export function makeTestPacks(outDir: string): void {
  writeZImagePack(join(outDir, 'test-zimage'));
  writeSdTurboPack(join(outDir, 'test-sdturbo'));
  writeFastWanPack(join(outDir, 'test-fastwan'), false);
  writeFastWanPack(join(outDir, 'test-fastwan-i2v'), true);
  writeFastWanPack(join(outDir, 'test-fastwan-81'), false, true);
}
