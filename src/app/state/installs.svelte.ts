/**
 * Installed packs on the Models page: the stored install records with their size on disk, the
 * downloads running in this tab (progress, Pause/Resume/Delete), "Install from URL", the
 * registry's remote packs' Download, folder import, and whether storage is persistent.
 * Downloads run on the main thread (fetch → OPFS writable); the engine worker reads the result.
 */
import { workerHash } from '../bridges/hash-bridge';
import type { PackTestReport } from '../../engine/pack-test/run-pack-test';
import type { RegistryEntry } from '../../engine/pack/registry';
import { describeTransfer, interruptedMessage } from '../../engine/pack/transfer';
import {
  type DownloadProgress,
  type DownloadResult,
  downloadPack,
  planFromUrl,
  resumeDownload,
} from '../../storage/pack-downloader';
import { importPack } from '../../storage/pack-import';
import { deletePack, type InstallStatus, listPacks, type StoredPack } from '../../storage/pack-store';
import { isPersisted } from '../../storage/pack-verify';
import type { PickedFolder } from '../pick-folder';
import { registryPlan } from '../registry-plan';
import {
  DownloadChannel,
  type DownloadMessage,
  downloadLockFree,
  withDownloadLock,
} from './download-channel';

/** One pack with a record, as the page shows it. */
export interface InstallView {
  id: string;
  name: string;
  /** 'paused' also for a download that a reload interrupted. */
  status: InstallStatus;
  /** Running in this tab now. */
  active: boolean;
  bytesOnDisk: number;
  loaded: number;
  total: number;
  progress?: DownloadProgress;
  message?: string;
  /** Where it comes from: a folder URL, or `local:…` for an import (which cannot resume). */
  baseUrl: string;
  /** The last "Test this pack" result. */
  test?: PackTestReport;
  /** Files downloaded from a URL that pack.json does not pin by sha256 (their bytes are unverified). */
  unverified: string[];
  /** Number of files the pack lists. */
  files: number;
  /** Another tab is downloading it (its progress is shown). */
  elsewhere: boolean;
}

/** Where an action was started, so its error shows there (a failed pack's own row disappears). */
export type Origin = 'card' | 'panel';

const errorText = (err: unknown) => (err as Error).message;
/** `o` without key `key` (a new object, for $state.raw). */
const without = <T>(o: Record<string, T>, key: string): Record<string, T> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

export class InstallsState {
  stored = $state.raw<StoredPack[]>([]);
  progress = $state.raw<Record<string, DownloadProgress>>({});
  /** Ids of the downloads running in this tab. */
  active = $state.raw<string[]>([]);
  /** Why a download of this tab stopped (pause / interruption). */
  messages = $state.raw<Record<string, string>>({});
  cardErrors = $state.raw<Record<string, string>>({});
  panelError = $state('');
  notice = $state('');
  /** "Install from URL" or an import in progress (its text). */
  busy = $state('');
  persisted = $state<boolean | undefined>(undefined);
  readonly views: InstallView[] = $derived(this.stored.map((s) => this.#view(s)));
  /** Progress of the downloads other tabs are running, by pack id. */
  elsewhere = $state.raw<Record<string, DownloadProgress>>({});
  readonly #channel = new DownloadChannel((m) => this.#fromOtherTab(m));
  /** Not reactive: the controller and completion of each running download. */
  #running: Record<string, { ctl: AbortController; done: Promise<void> }> = {};

  /** `onChanged(id)` runs after a pack was installed or deleted (refresh pickers, drop cached sessions). */
  constructor(private readonly onChanged: (id: string) => void) {}

  view(id: string): InstallView | undefined {
    return this.views.find((v) => v.id === id);
  }

  #view({ record: r, bytesOnDisk }: StoredPack): InstallView {
    const active = this.active.includes(r.id);
    const remote = active ? undefined : this.elsewhere[r.id];
    if (remote) return this.#remoteView({ record: r, bytesOnDisk }, remote);
    const progress = this.progress[r.id];
    const total = r.files.reduce((n, f) => n + Math.max(0, f.bytes), 0);
    const loaded =
      progress?.loaded ??
      Math.min(
        total,
        r.files.reduce((n, f) => n + f.done, 0),
      );
    // A 'downloading' record that no download of this tab owns was cut off by a reload or crash.
    const status: InstallStatus = r.status === 'downloading' && !active ? 'paused' : r.status;
    const message = active
      ? undefined
      : (this.messages[r.id] ??
        r.error ??
        (status === 'paused' ? interruptedMessage(bytesOnDisk, total) : undefined));
    const unverified = r.baseUrl.startsWith('local:')
      ? []
      : r.files.filter((f) => !f.sha256).map((f) => f.path);
    return {
      id: r.id,
      name: r.name,
      status,
      active,
      bytesOnDisk,
      loaded,
      total,
      progress,
      message,
      baseUrl: r.baseUrl,
      unverified,
      files: r.files.length,
      elsewhere: false,
      ...(r.test ? { test: r.test } : {}),
    };
  }

  #remoteView({ record: r, bytesOnDisk }: StoredPack, p: DownloadProgress): InstallView {
    return {
      id: r.id,
      name: r.name,
      status: 'downloading',
      active: false,
      bytesOnDisk,
      loaded: p.loaded,
      total: p.total,
      progress: p,
      message: `Downloading in another tab — ${describeTransfer(p)}`,
      baseUrl: r.baseUrl,
      unverified: [],
      files: r.files.length,
      elsewhere: true,
    };
  }

  /** Another tab's download: show its progress, and re-read the packs once it ends or its tab closes. */
  #fromOtherTab(m: DownloadMessage): void {
    if (this.#running[m.id]) return;
    if (m.ended || !m.progress) {
      this.elsewhere = without(this.elsewhere, m.id);
      void this.load();
      return;
    }
    const first = !this.elsewhere[m.id];
    this.elsewhere = { ...this.elsewhere, [m.id]: m.progress };
    if (!first) return;
    if (!this.stored.some((s) => s.record.id === m.id)) void this.load();
    void downloadLockFree(m.id).then(() => {
      this.elsewhere = without(this.elsewhere, m.id);
      void this.load();
    });
  }

  async load(): Promise<void> {
    try {
      this.stored = await listPacks();
      this.persisted ??= await isPersisted();
    } catch (err) {
      this.panelError = `The installed packs could not be read: ${errorText(err)}`;
    }
  }

  #setError(origin: Origin, id: string, text: string): void {
    if (origin === 'card') this.cardErrors = { ...this.cardErrors, [id]: text };
    else this.panelError = text;
  }

  #clear(id: string): void {
    this.cardErrors = without(this.cardErrors, id);
    this.messages = without(this.messages, id);
    this.panelError = '';
    this.notice = '';
  }

  /** Runs one download of pack `id`, unless another tab is downloading it (then its progress shows here). */
  async #run(
    id: string,
    origin: Origin,
    start: (signal: AbortSignal, onProgress: (p: DownloadProgress) => void) => Promise<DownloadResult>,
  ): Promise<void> {
    if (this.#running[id]) return;
    const ran = await withDownloadLock(id, () => this.#runHere(id, origin, start));
    if (!ran) {
      this.notice = `${this.stored.find((s) => s.record.id === id)?.record.name ?? id} is being downloaded in another tab; its progress shows here.`;
      void this.load();
    }
  }

  /** Runs one download of pack `id` with its own AbortController (Pause aborts it), telling other tabs its progress. */
  async #runHere(
    id: string,
    origin: Origin,
    start: (signal: AbortSignal, onProgress: (p: DownloadProgress) => void) => Promise<DownloadResult>,
  ): Promise<void> {
    if (this.#running[id]) return;
    const ctl = new AbortController();
    let finish = () => {};
    this.#running[id] = { ctl, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.#clear(id);
    this.active = [...this.active, id];
    let listed = false;
    const onProgress = (p: DownloadProgress) => {
      this.progress = { ...this.progress, [id]: p };
      this.#channel.post({ v: 1, id, progress: p });
      // The record is created once the quota check passed: show its row from the first progress on.
      if (!listed && !this.stored.some((s) => s.record.id === id)) void this.load();
      listed = true;
    };
    try {
      const result = await start(ctl.signal, onProgress);
      if (result.status === 'installed') {
        this.persisted = result.persisted;
        const name = this.stored.find((s) => s.record.id === id)?.record.name ?? id;
        this.notice = `${name} is installed.`;
        this.onChanged(id);
      } else {
        this.messages = { ...this.messages, [id]: result.message };
      }
    } catch (err) {
      this.#setError(origin, id, errorText(err));
    } finally {
      this.#channel.post({ v: 1, id, ended: true });
      this.progress = without(this.progress, id);
      this.active = this.active.filter((a) => a !== id);
      await this.load();
      delete this.#running[id];
      finish();
    }
  }

  /** "Install from URL": reads pack.json at `url`, then downloads the pack. */
  async installFromUrl(url: string): Promise<void> {
    this.panelError = '';
    this.notice = '';
    this.busy = 'Reading pack.json…';
    try {
      const plan = await planFromUrl(url);
      this.busy = '';
      await this.#run(plan.id, 'panel', (signal, onProgress) =>
        downloadPack(plan, { signal, onProgress, hashWith: workerHash }),
      );
    } catch (err) {
      this.panelError = errorText(err);
    } finally {
      this.busy = '';
    }
  }

  /** Download of a remote registry pack: manifest from its bundled pack.json, files from `source.url`. */
  async download(entry: RegistryEntry): Promise<void> {
    this.#clear(entry.id);
    try {
      const plan = await registryPlan(entry);
      await this.#run(entry.id, 'card', (signal, onProgress) =>
        downloadPack(plan, { signal, onProgress, hashWith: workerHash }),
      );
    } catch (err) {
      this.#setError('card', entry.id, errorText(err));
    }
  }

  pause(id: string): void {
    this.#running[id]?.ctl.abort();
  }

  resume(id: string, origin: Origin): Promise<void> {
    return this.#run(id, origin, (signal, onProgress) =>
      resumeDownload(id, { signal, onProgress, hashWith: workerHash }),
    );
  }

  /** Stops a running download of `id`, then removes its files and record. */
  async remove(id: string, origin: Origin): Promise<void> {
    this.#clear(id);
    const run = this.#running[id];
    if (run) {
      run.ctl.abort();
      await run.done;
    }
    try {
      const name = this.stored.find((s) => s.record.id === id)?.record.name ?? id;
      await deletePack(id);
      this.notice = `${name} was deleted.`;
      this.onChanged(id);
    } catch (err) {
      this.#setError(origin, id, `The pack could not be deleted: ${errorText(err)}`);
    }
    await this.load();
  }

  /** Imports a picked or dropped pack folder (all or nothing). */
  async importFolder(picked: PickedFolder): Promise<void> {
    this.panelError = '';
    this.notice = '';
    this.busy = `Importing ${picked.source}…`;
    try {
      const result = await importPack(
        picked.files,
        picked.source,
        (p) => (this.busy = `Importing ${picked.source}: ${p.file}…`),
      );
      this.persisted = result.persisted;
      this.notice = `${result.name} is installed from ${picked.source}.`;
      this.onChanged(result.id);
    } catch (err) {
      this.panelError = errorText(err);
    } finally {
      this.busy = '';
      await this.load();
    }
  }
}
