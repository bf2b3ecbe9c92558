/**
 * A pack folder the user picked or dropped, as relative path → File: from showDirectoryPicker
 * (Chromium), an `<input type=file webkitdirectory>` (everywhere else), or a drag-and-drop of a
 * folder or of loose files.
 */

/** Picked files by path relative to the picked folder (or its parent), and a name for messages. */
export interface PickedFolder {
  files: Map<string, File>;
  source: string;
}

type DirectoryPicker = (opts?: { id?: string; mode?: 'read' }) => Promise<FileSystemDirectoryHandle>;

/** Whether the browser has showDirectoryPicker (else the import uses the webkitdirectory input). */
export function canPickDirectory(): boolean {
  return (
    typeof (window as Window & { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker === 'function'
  );
}

async function walkHandle(
  dir: FileSystemDirectoryHandle,
  prefix: string,
  out: Map<string, File>,
): Promise<void> {
  for await (const handle of dir.values()) {
    if (handle.kind === 'file')
      out.set(prefix + handle.name, await (handle as FileSystemFileHandle).getFile());
    else await walkHandle(handle as FileSystemDirectoryHandle, `${prefix}${handle.name}/`, out);
  }
}

/** Asks for a folder with showDirectoryPicker; undefined when the user cancels. */
export async function pickDirectory(): Promise<PickedFolder | undefined> {
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await (window as Window & { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker!({
      id: 'webgp-pack',
      mode: 'read',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') return undefined;
    throw err;
  }
  const files = new Map<string, File>();
  await walkHandle(dir, '', files);
  return { files, source: `folder "${dir.name}"` };
}

/** The files of an `<input type=file webkitdirectory>` (paths start with the folder's name). */
export function filesFromInput(list: FileList): PickedFolder {
  const files = new Map<string, File>();
  for (const f of list) files.set(f.webkitRelativePath || f.name, f);
  const top = [...files.keys()][0]?.split('/')[0];
  return {
    files,
    source:
      top && files.size && [...files.keys()].every((p) => p.startsWith(`${top}/`))
        ? `folder "${top}"`
        : 'the picked files',
  };
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    // readEntries returns the entries in batches (100 in Chromium) until an empty one.
    const next = () =>
      reader.readEntries((batch) => {
        if (!batch.length) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function walkEntry(entry: FileSystemEntry, prefix: string, out: Map<string, File>): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.set(prefix + entry.name, file);
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader()))
      await walkEntry(child, `${prefix}${entry.name}/`, out);
  }
}

/** The files of a drop: folders walked recursively, loose files at the top level. */
export async function filesFromDrop(data: DataTransfer): Promise<PickedFolder> {
  // Entries must be taken synchronously, while the drop event is being handled.
  const entries = [...data.items].map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null));
  const loose = [...data.files];
  const files = new Map<string, File>();
  if (entries.some((e) => e)) {
    for (const e of entries) if (e) await walkEntry(e, '', files);
  } else {
    for (const f of loose) files.set(f.name, f);
  }
  const dirs = entries.filter((e) => e?.isDirectory);
  return { files, source: dirs.length === 1 ? `folder "${dirs[0]?.name}"` : 'the dropped files' };
}
