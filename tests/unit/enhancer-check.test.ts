/** `webgp check` on the prompt enhancer's packs: the generated test-llm and test-captioner pass
 * with their files listed; a truncated graph and a broken captioner section are reported. */
import { cpSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPack } from '../../src/cli/check';
import { TEST_CAPTIONER_ID } from '../../tools/test-packs/captioner';
import { TEST_LLM_ID } from '../../tools/test-packs/llm';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

function copy(id: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'webgp-check-')), id);
  cpSync(join(TEST_PACKS_DIR, id), dir, { recursive: true });
  return dir;
}

describe('webgp check, enhancer packs', () => {
  it('passes the test LLM and captioner packs, listing their files', async () => {
    const llm = await checkPack(join(TEST_PACKS_DIR, TEST_LLM_ID));
    expect(llm.ok).toBe(true);
    expect(llm.lines[1]).toBe('Pipeline    prompt-llm (prompt enhancer: docs/enhancer.md)');
    expect(llm.lines.at(-1)).toMatch(/^Files {7}2, .*; every size and sha256 holds$/);
    const cap = await checkPack(join(TEST_PACKS_DIR, TEST_CAPTIONER_ID));
    expect(cap.ok).toBe(true);
    expect(cap.lines.filter((l) => l.startsWith('  onnx/'))).toHaveLength(4);
  });

  it('reports a truncated graph and a broken captioner section', async () => {
    const dir = copy(TEST_CAPTIONER_ID);
    truncateSync(join(dir, 'onnx', 'decoder_model_merged.onnx'), 10);
    const cut = await checkPack(dir);
    expect(cut.ok).toBe(false);
    expect(cut.lines).toEqual([
      expect.stringMatching(
        /^corrupt-model: onnx\/decoder_model_merged.onnx is 10 bytes, pack.json says \d+$/,
      ),
    ]);
    const m = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8'));
    delete m.captioner.decoder;
    writeFileSync(join(dir, 'pack.json'), JSON.stringify(m));
    expect((await checkPack(dir)).lines).toEqual([
      "invalid-manifest: pack.json captioner.decoder must be an object with file (and bytes, sha256). Fix the pack's pack.json (see docs/enhancer.md).",
    ]);
  });
});
