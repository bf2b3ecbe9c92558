/**
 * test-nan: the demo contract with random weights (like test-t2v-random) whose transformer's
 * output weights are all NaN, so every prediction is NaN. "Test this pack" must fail on it,
 * naming the transformer stage and "not finite" (tests/unit/pack-test.test.ts, e2e/pack-test.spec.ts).
 */
import { demoVocabulary } from '../demo-pack/analytic';
import { randomTextEncoder, randomTransformer, vaeDecoder } from '../demo-pack/graphs';
import { TIMESTEP_SCALE } from '../demo-pack/manifests';
import { DEMO_FILES, writeDemoContractPack } from '../demo-pack/write-pack';

export const NAN_PACK_ID = 'test-nan';
/** The initializer made NaN: the last MatMul's weights, so the whole prediction is NaN. */
const NAN_WEIGHT = 'blocks.0.ffn.2.weight';

export function writeNanPack(dir: string): void {
  const vocab = demoVocabulary();
  writeDemoContractPack(
    dir,
    { id: NAN_PACK_ID, name: 'Test pack (transformer emits NaN)', description: 'Random-weight demo contract whose transformer multiplies by NaN weights: for testing "Test this pack".', demo: true },
    {
      [DEMO_FILES.textEncoder]: randomTextEncoder(vocab.length, 11),
      [DEMO_FILES.transformer]: randomTransformer(29, TIMESTEP_SCALE, (name, w) => (name === NAN_WEIGHT ? w.map(() => NaN) : w)),
      [DEMO_FILES.vaeDecoder]: vaeDecoder(),
    },
    vocab,
  );
}
