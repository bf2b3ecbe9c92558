/** Reads what the app stored for a pack, from inside the page: its OPFS folder and its install record. */
import type { Page } from '@playwright/test';
import { dbGet } from './webgp-db';

/** Path → size of every file under OPFS packs/<id>/, or null when that folder does not exist. */
export function opfsPackFiles(page: Page, id: string): Promise<Record<string, number> | null> {
  return page.evaluate(async (id) => {
    const root = await navigator.storage.getDirectory();
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await (await root.getDirectoryHandle('packs')).getDirectoryHandle(id);
    } catch {
      return null;
    }
    const out: Record<string, number> = {};
    const walk = async (d: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      for await (const h of d.values()) {
        if (h.kind === 'file') out[prefix + h.name] = (await (h as FileSystemFileHandle).getFile()).size;
        else await walk(h as FileSystemDirectoryHandle, `${prefix}${h.name}/`);
      }
    };
    await walk(dir, '');
    return out;
  }, id);
}

/** sha256 (hex) of every file under OPFS packs/<id>/. */
export function opfsPackHashes(page: Page, id: string): Promise<Record<string, string>> {
  return page.evaluate(async (id) => {
    const dir = await (
      await (await navigator.storage.getDirectory()).getDirectoryHandle('packs')
    ).getDirectoryHandle(id);
    const out: Record<string, string> = {};
    const walk = async (d: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      for await (const h of d.values()) {
        if (h.kind === 'directory') {
          await walk(h as FileSystemDirectoryHandle, `${prefix}${h.name}/`);
          continue;
        }
        const digest = await crypto.subtle.digest(
          'SHA-256',
          await (await (h as FileSystemFileHandle).getFile()).arrayBuffer(),
        );
        out[prefix + h.name] = Array.from(new Uint8Array(digest), (b) =>
          b.toString(16).padStart(2, '0'),
        ).join('');
      }
    };
    await walk(dir, '');
    return out;
  }, id);
}

export interface StoredRecord {
  id: string;
  status: string;
  baseUrl: string;
  /** pack.json as installed (with the limits its graphs impose). */
  manifestText: string;
  files: { path: string; bytes: number; done: number; url?: string }[];
  error?: string;
}

/** The install record of pack `id` (object store `packs` of the one database), or undefined. */
export function packRecord(page: Page, id: string): Promise<StoredRecord | undefined> {
  return dbGet<StoredRecord>(page, 'packs', id);
}

/** Bytes and files pack checks read back from OPFS to hash them in this page (src/storage/download-hash.ts). */
export function hashReadBack(page: Page): Promise<{ bytes: number; files: number } | undefined> {
  return page.evaluate(
    () => (globalThis as { __webgpHashReadBack?: { bytes: number; files: number } }).__webgpHashReadBack,
  );
}

/** Main-thread time spent on download hashing and the chunks hashed (src/storage/file-hash.ts). */
export function hashTime(page: Page): Promise<{ mainMs: number; chunks: number } | undefined> {
  return page.evaluate(
    () => (globalThis as { __webgpHashTime?: { mainMs: number; chunks: number } }).__webgpHashTime,
  );
}
