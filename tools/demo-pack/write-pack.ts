/** Writes a demo-contract pack (text encoder, transformer, VAE decoder, tokenizer) and its pack.json. */
import { demoManifest } from './manifests';
import { type FileInfo, PackFolder } from './pack-folder';
import { tokenizerJson } from './tokenizer-json';

export const DEMO_FILES = {
  textEncoder: 'text_encoder.onnx',
  transformer: 'transformer.onnx',
  vaeDecoder: 'vae_decoder.onnx',
};

export function writeDemoContractPack(
  dir: string,
  meta: Parameters<typeof demoManifest>[0],
  graphs: Record<string, Uint8Array>,
  vocab: string[],
): void {
  const folder = new PackFolder(dir);
  const info: Record<string, FileInfo> = {};
  for (const [file, bytes] of Object.entries(graphs)) info[file] = folder.write(file, bytes);
  info['tokenizer.json'] = folder.write('tokenizer.json', JSON.stringify(tokenizerJson(vocab)));
  folder.writeManifest(demoManifest(meta, DEMO_FILES, info));
}
