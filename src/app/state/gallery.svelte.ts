/** Gallery state: saved outputs (newest first) with object URLs for their blobs. */
import { deleteOutput, listOutputs, type OutputRecord } from '../../storage/outputs-store';

export interface GalleryItem {
  record: OutputRecord;
  videoUrl: string;
  thumbnailUrl: string;
}

function toItem(record: OutputRecord): GalleryItem {
  return { record, videoUrl: URL.createObjectURL(record.media), thumbnailUrl: URL.createObjectURL(record.thumbnail) };
}

function revoke(item: GalleryItem): void {
  URL.revokeObjectURL(item.videoUrl);
  URL.revokeObjectURL(item.thumbnailUrl);
}

export class GalleryState {
  items = $state.raw<GalleryItem[]>([]);
  error = $state('');

  async load(): Promise<void> {
    try {
      const records = await listOutputs();
      this.items.forEach(revoke);
      this.items = records.map(toItem);
    } catch (err) {
      this.error = `Could not read saved outputs: ${(err as Error).message}`;
    }
  }

  /** Adds a just-saved record at the top and returns its item. */
  add(record: OutputRecord): GalleryItem {
    const item = toItem(record);
    this.items = [item, ...this.items];
    return item;
  }

  async remove(id: string): Promise<void> {
    await deleteOutput(id);
    const gone = this.items.find((i) => i.record.id === id);
    if (gone) revoke(gone);
    this.items = this.items.filter((i) => i.record.id !== id);
  }
}
