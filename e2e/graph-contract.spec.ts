/**
 * The graph contract in Chromium: a pack whose graphs do not match its pack.json is refused at
 * install with the message naming graph and tensor (nothing kept), and a FastWan-style pack whose
 * VAE decoder is exported for 21 latent frames installs with the 81-frame limit derived from
 * the graph: the form refuses 41 frames naming 81, and 81 frames generate.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { GraphBuilder } from '../src/engine/onnx/graph-builder';
import { downloadNewest, fillForm, generate, installFromUrl, installRegion, openApp } from './support/app';
import { opfsPackFiles, packRecord } from './support/installed';
import { probe } from './support/media';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');

let server: PackServer;
test.beforeEach(async () => {
  server = await startPackServer();
});
test.afterEach(async () => {
  await server.close();
});

async function openAndInstall(page: Page, url: string): Promise<void> {
  await openApp(page);
  await installFromUrl(page, url);
}

/** demo-t2v's transformer interface with `timestep` declared int64 (pack.json feeds float32). */
function int64TimestepTransformer(): Uint8Array {
  const g = new GraphBuilder('transformer');
  const latents = [1, 4, 'frames', 'height', 'width'];
  const x = g.input('hidden_states', 'float32', latents);
  g.input('timestep', 'int64', [1]);
  g.input('encoder_hidden_states', 'float32', [1, 'sequence_length', 'features']);
  g.op('Identity', [x], {}, 'noise_pred');
  g.output('noise_pred', 'float32', latents);
  return g.toModel();
}

test('a served pack whose transformer declares another timestep dtype is refused, naming graph and tensor, and nothing is kept', async ({
  page,
}) => {
  const id = 'dtype-mismatch';
  const name = 'Pack with a dtype mismatch';
  const dir = servedCopy(server.root, 'demo-t2v', id, name, (m) => {
    const t = (m.components as Record<string, Record<string, unknown>>).transformer as Record<
      string,
      unknown
    >;
    delete t.bytes;
    delete t.sha256;
  });
  writeFileSync(join(dir, 'transformer.onnx'), int64TimestepTransformer());
  await openAndInstall(page, `${server.url}${id}/`);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    'transformer.onnx input "timestep": pack.json (timestep: timestepType float32, timestepShape scalar) feeds float32, the graph declares int64',
  );
  await expect(
    page.getByRole('region', { name: 'Installed packs' }).getByRole('heading', { name, exact: true }),
  ).toHaveCount(0);
  expect(await opfsPackFiles(page, id)).toBeNull();
  expect(await packRecord(page, id)).toBeUndefined();
});

test('a fixed-shape VAE decoder (21 latent frames) limits the pack to 81 frames: 41 is refused naming 81, 81 generates', async ({
  page,
}) => {
  const id = 'served-fastwan-81';
  const manifest = JSON.parse(readFileSync(join(TEST_PACKS, 'test-fastwan-81', 'pack.json'), 'utf8')) as {
    name: string;
    limits: Record<string, unknown>;
  };
  expect(manifest.limits.frames).toBeUndefined();
  const name = `Served ${manifest.name}`;
  servedCopy(server.root, 'test-fastwan-81', id, name, undefined, TEST_PACKS);
  await openAndInstall(page, `${server.url}${id}/`);
  await expect(installRegion(page).getByRole('status')).toContainText(`${name} is installed`);
  // The install stored the limit the graph imposes with the pack.
  const stored = JSON.parse((await packRecord(page, id))?.manifestText ?? '{}') as {
    limits: { frames?: number[]; resolutions: string[] };
  };
  expect(stored.limits).toMatchObject({ frames: [81], resolutions: ['64x64'] });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption({ label: name });
  await expect(page.getByLabel('Frames', { exact: true })).toHaveValue('81');
  await fillForm(page, { prompt: 'a red ball on a blue table', frames: 41, steps: 2 });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(
    page.getByRole('alert').filter({
      hasText:
        'Frames must be 81 for this model (its VAE decoder (onnx/vae_decoder-64.onnx) is exported for 21 latent frames).',
    }),
  ).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveCount(0);

  await fillForm(page, { prompt: 'a red ball on a blue table', frames: 81, steps: 2 });
  await generate(page);
  const file = await downloadNewest(page);
  const video = probe(file.path);
  expect(video).toMatchObject({ width: 64, height: 64, frames: 81 });
  expect(video.comment).toMatchObject({ model_type: id, video_length: 81 });
});
