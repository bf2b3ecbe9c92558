/**
 * Gallery state: saved outputs (newest first) with object URLs for their blobs, the filter
 * (text, model, date), the selection exported as one zip, the item shown in the details panel,
 * and the origin's storage use.
 */
import { SvelteSet } from 'svelte/reactivity';
import { buildZip, type ZipEntry } from '../../engine/media/outputs-zip';
import { deleteOutput, listOutputs, type OutputRecord } from '../../storage/outputs-store';
import { storageEstimate } from '../../storage/quota';
import { saveFile } from '../save-file';
import { formatDate } from '../../engine/naming';
import { isMattingSettings } from '../../engine/metadata/matting-settings';

export interface GalleryItem {
  record: OutputRecord;
  /** Object URL of the media (MP4 or PNG). */
  videoUrl: string;
  thumbnailUrl: string;
}

export type DatePeriod = 'any' | 'today' | 'week' | 'month';

const DAY = 86_400_000;

function toItem(record: OutputRecord): GalleryItem {
  return {
    record,
    videoUrl: URL.createObjectURL(record.media),
    thumbnailUrl: URL.createObjectURL(record.thumbnail),
  };
}

function revoke(item: GalleryItem): void {
  URL.revokeObjectURL(item.videoUrl);
  URL.revokeObjectURL(item.thumbnailUrl);
}

/** Earliest createdAt a period lets through ("today" starts at local midnight). */
function periodStart(period: DatePeriod, now: number): number {
  if (period === 'any') return -Infinity;
  if (period === 'week') return now - 7 * DAY;
  if (period === 'month') return now - 30 * DAY;
  const today = new Date(now);
  return new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
}

/** What a card shows as its title: the prompt, or "Matting of <video>" for a matting output. */
export function outputCaption(r: OutputRecord): string {
  return isMattingSettings(r.settings)
    ? `Matting of ${r.settings.source_video} (${r.settings.mask_type})`
    : r.settings.prompt;
}

/** Case-insensitive match of `query` on the caption, negative prompt and file names. */
function matchesText(r: OutputRecord, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const negative = isMattingSettings(r.settings) ? '' : r.settings.negative_prompt;
  return [outputCaption(r), negative, r.fileName, ...(r.files ?? []).map((f) => f.fileName)].some((s) =>
    s.toLowerCase().includes(q),
  );
}

/** `webgp-outputs-YYYY-MM-DD.zip` for today's local date. */
function zipName(): string {
  return `webgp-outputs-${formatDate(new Date(), 'YYYY-MM-DD')}.zip`;
}

export class GalleryState {
  items = $state.raw<GalleryItem[]>([]);
  error = $state('');
  query = $state('');
  model = $state('');
  period = $state<DatePeriod>('any');
  readonly selected = new SvelteSet<string>();
  detailsId = $state<string>();
  storage = $state.raw<{ usage: number; quota: number }>();

  /** Every model_type present, sorted. */
  readonly models = $derived(
    this.items
      .map((i) => i.record.settings.model_type)
      .filter((m, index, all) => typeof m === 'string' && m !== '' && all.indexOf(m) === index)
      .sort(),
  );
  readonly filtering = $derived(this.query.trim() !== '' || this.model !== '' || this.period !== 'any');
  /** The items that pass the filter, newest first. */
  readonly shown = $derived.by(() => {
    const since = periodStart(this.period, Date.now());
    return this.items.filter(
      ({ record: r }) =>
        r.createdAt >= since &&
        (!this.model || r.settings.model_type === this.model) &&
        matchesText(r, this.query),
    );
  });
  readonly details = $derived(this.items.find((i) => i.record.id === this.detailsId));

  async load(): Promise<void> {
    try {
      const records = await listOutputs();
      this.items.forEach(revoke);
      this.items = records.map(toItem);
      this.forgetMissing();
    } catch (err) {
      this.error = `Could not read saved outputs: ${(err as Error).message}`;
    }
    await this.refreshStorage();
  }

  /** Adds a just-saved record at the top and returns its item. */
  add(record: OutputRecord): GalleryItem {
    const item = toItem(record);
    this.items = [item, ...this.items];
    void this.refreshStorage();
    return item;
  }

  async remove(id: string): Promise<void> {
    await deleteOutput(id);
    const gone = this.items.find((i) => i.record.id === id);
    if (gone) revoke(gone);
    this.items = this.items.filter((i) => i.record.id !== id);
    this.forgetMissing();
    await this.refreshStorage();
  }

  clearFilter(): void {
    this.query = '';
    this.model = '';
    this.period = 'any';
  }

  toggle(id: string, on: boolean): void {
    if (on) this.selected.add(id);
    else this.selected.delete(id);
  }

  selectShown(): void {
    for (const i of this.shown) this.selected.add(i.record.id);
  }

  /** Downloads the selected outputs (with their sidecars and further files) as one zip. */
  async exportSelected(): Promise<void> {
    try {
      const entries: ZipEntry[] = [];
      for (const { record: r } of this.items.filter((i) => this.selected.has(i.record.id))) {
        entries.push({ name: r.fileName, data: new Uint8Array(await r.media.arrayBuffer()) });
        if (r.sidecar)
          entries.push({ name: r.sidecar.fileName, data: new TextEncoder().encode(r.sidecar.text) });
        for (const f of r.files ?? [])
          entries.push({ name: f.fileName, data: new Uint8Array(await f.blob.arrayBuffer()) });
      }
      if (!entries.length) return;
      const zip = buildZip(entries);
      saveFile(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), zipName());
    } catch (err) {
      this.error = `Could not export the selected outputs: ${(err as Error).message}`;
    }
  }

  async refreshStorage(): Promise<void> {
    this.storage = await storageEstimate();
  }

  /** Drops selection and details of items that are gone. */
  private forgetMissing(): void {
    const ids = new Set(this.items.map((i) => i.record.id)); // eslint-disable-line svelte/prefer-svelte-reactivity -- a local lookup, never stored
    for (const id of [...this.selected]) if (!ids.has(id)) this.selected.delete(id);
    if (this.detailsId && !ids.has(this.detailsId)) this.detailsId = undefined;
  }
}
