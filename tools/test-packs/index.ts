/**
 * Generates the test packs into test-packs/<id>/: tiny random-weight graphs with the exact file
 * layout, tensor names, dtypes and layouts of real packs (REAL_PACKS.md §1, §2a, §2b, §3a), for engine
 * pipeline tests in Node and headless Chromium, and test-nan (tools/test-packs/nan.ts). Listed in docs/pack-format.md ("Test packs").
 */
import { join } from 'node:path';
import { TEST_CAPTIONER_ID, writeTestCaptionerPack } from './captioner';
import { writeFastWanPack } from './fastwan';
import { TEST_LLM_ID, writeTestLlmPack } from './llm';
import { NAN_PACK_ID, writeNanPack } from './nan';
import { writeSdTurboPack } from './sdturbo';
import { writeSdxlTurboPack } from './sdxlturbo';
import { writeZImagePack } from './zimage';

export const TEST_PACK_IDS = ['test-zimage', 'test-sdturbo', 'test-sdxlturbo', 'test-fastwan', 'test-fastwan-i2v', 'test-fastwan-81'] as const;

export function makeTestPacks(outDir: string): void {
  writeZImagePack(join(outDir, 'test-zimage'));
  writeSdTurboPack(join(outDir, 'test-sdturbo'));
  writeSdxlTurboPack(join(outDir, 'test-sdxlturbo'));
  writeFastWanPack(join(outDir, 'test-fastwan'), false);
  writeFastWanPack(join(outDir, 'test-fastwan-i2v'), true);
  writeNanPack(join(outDir, NAN_PACK_ID));
  writeFastWanPack(join(outDir, 'test-fastwan-81'), false, true);
  writeTestLlmPack(join(outDir, TEST_LLM_ID));
  writeTestCaptionerPack(join(outDir, TEST_CAPTIONER_ID));
}
