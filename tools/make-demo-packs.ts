/**
 * Generates the bundled demo packs into public/models/ (deterministic, no network):
 *  - demo-t2v: the analytic flow model (frames are known exactly for any prompt and seed);
 *  - test-t2v-random: the same contract with random weights, for numerical parity tests;
 *  - demo-sam, demo-matanyone: analytic video segmentation/matting packs (tools/matting-packs);
 * the test LoRAs for test-t2v-random into test-packs/loras (tools/test-loras),
 * and the real-contract test packs into test-packs/ (tools/test-packs: test-zimage,
 * test-sdturbo, test-sdxlturbo, test-fastwan, test-fastwan-i2v, test-fastwan-81, and test-nan,
 * whose transformer emits NaN; tools/matting-packs/test-packs.ts: test-sam, test-matanyone2),
 * which are not served by the app.
 * Usage: tsx tools/make-demo-packs.ts [outDir] [testPacksDir]
 */
import { join, resolve } from 'node:path';
import { demoVocabulary, embeddingTable } from './demo-pack/analytic';
import {
  analyticTextEncoder,
  analyticTransformer,
  randomTextEncoder,
  randomTransformer,
  vaeDecoder,
} from './demo-pack/graphs';
import { TIMESTEP_SCALE } from './demo-pack/manifests';
import { DEMO_FILES as FILES, writeDemoContractPack as writePack } from './demo-pack/write-pack';
import { writeTestLoras } from './test-loras/index';
import { makeMattingPacks } from './matting-packs/index';
import { makeVideoTestPacks } from './matting-packs/test-packs';
import { makeTestPacks } from './test-packs/index';
import { TEST_CAPTIONER_ID, writeTestCaptionerPack } from './test-packs/captioner';
import { TEST_LLM_ID, writeTestLlmPack } from './test-packs/llm';

/** Seed of test-t2v-random's transformer weights (tests rebuild it with LoRA deltas baked in). */
export const RANDOM_TRANSFORMER_SEED = 23;

export function makeDemoPacks(outDir: string): void {
  const vocab = demoVocabulary();
  writePack(
    join(outDir, 'demo-t2v'),
    {
      id: 'demo-t2v',
      name: 'WebGP demo pack (analytic, not a real model)',
      description:
        'A tiny generated model: the prompt picks colours, background, size and motion of a disc. For trying WebGP without downloading a real model.',
      demo: true,
    },
    {
      [FILES.textEncoder]: analyticTextEncoder(embeddingTable(vocab), vocab.length),
      [FILES.transformer]: analyticTransformer(TIMESTEP_SCALE),
      [FILES.vaeDecoder]: vaeDecoder(),
    },
    vocab,
  );
  writePack(
    join(outDir, 'test-t2v-random'),
    {
      id: 'test-t2v-random',
      name: 'Test pack (random weights)',
      description: 'Random-weight graphs with the demo contract, for numerical parity tests.',
      demo: true,
    },
    {
      [FILES.textEncoder]: randomTextEncoder(vocab.length, 11),
      [FILES.transformer]: randomTransformer(RANDOM_TRANSFORMER_SEED, TIMESTEP_SCALE),
      [FILES.vaeDecoder]: vaeDecoder(),
    },
    vocab,
  );
  makeMattingPacks(outDir);
  // The tiny prompt-enhancer LLM is also served (models/test-llm/) for the local-enhancer e2e.
  writeTestLlmPack(join(outDir, TEST_LLM_ID));
  // And the tiny captioner (models/test-captioner/) for the Image-mode e2e.
  writeTestCaptionerPack(join(outDir, TEST_CAPTIONER_ID));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = resolve(process.argv[2] ?? 'public/models');
  makeDemoPacks(out);
  console.log(`demo packs written to ${out}`);
  const testOut = resolve(process.argv[3] ?? 'test-packs');
  makeTestPacks(testOut);
  makeVideoTestPacks(testOut);
  writeTestLoras(join(testOut, 'loras'));
  console.log(`test packs written to ${testOut}`);
}
