/**
 * The one database (src/storage/db.ts) on fake-indexeddb: its schema and indexes, an output
 * saved and its task marked done in one transaction (both or neither), free-name and task
 * lookups through indexes, and the migration of the per-store databases the previous version
 * wrote (helpers/legacy-databases mirrors their layout): nothing lost, old databases removed only
 * once verified, a retry never overwrites newer records.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { closeDb, db, DB_NAME, DB_VERSION } from '../../src/storage/db';
import { LEGACY_DATABASES } from '../../src/storage/legacy-migration';
import {
  findOutputOfTask,
  getOutput,
  listOutputs,
  type OutputRecord,
  outputFileNames,
  saveOutput,
} from '../../src/storage/outputs-store';
import { loadCheckpoint, loadQueue, saveCheckpoint, saveTransition } from '../../src/storage/queue-store';
import { listRuns } from '../../src/storage/history-store';
import { listLoras } from '../../src/storage/lora-store';
import { listPresets } from '../../src/storage/preset-store';
import { getRecord } from '../../src/storage/pack-store';
import { loadSettings } from '../../src/storage/settings-store';
import { loadEnhancerSettings } from '../../src/storage/enhancer-settings-store';
import { newTask } from '../../src/engine/queue/task';
import { applyCommand, applyRunnerEvent, emptyQueue } from '../../src/engine/queue/transitions';
import { rejection } from '../helpers/errors';
import { failNextWrite } from '../helpers/idb-faults';
import { type LegacyWrite, writeLegacyDatabases } from '../helpers/legacy-databases';
import { runRecord, smallRequest } from '../helpers/requests';

const T0 = 1_700_000_000_000;

function output(id: string, createdAt: number, patch: Partial<OutputRecord> = {}): OutputRecord {
  return {
    version: 2,
    id,
    createdAt,
    fileName: `${id}.mp4`,
    kind: 'video',
    settings: { prompt: id } as OutputRecord['settings'],
    media: new Blob([`mp4 ${id}`], { type: 'video/mp4' }),
    thumbnail: new Blob(['png'], { type: 'image/png' }),
    width: 64,
    height: 64,
    frames: 5,
    encoder: 'webcodecs',
    ...patch,
  };
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '').sort();
}

/** A fresh page: no connection, no databases. */
async function freshProfile(): Promise<void> {
  await closeDb();
  for (const name of await databaseNames()) {
    await new Promise((resolve) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = r.onerror = resolve;
    });
  }
}

beforeEach(freshProfile);

describe('one database: schema', () => {
  it('has one store per concern with the indexes the app looks up by', async () => {
    const d = await db();
    expect(d.name).toBe(DB_NAME);
    expect(d.version).toBe(DB_VERSION);
    expect([...d.objectStoreNames].sort()).toEqual(
      ['checkpoints', 'loras', 'outputs', 'packs', 'presets', 'runs', 'settings', 'tasks'].sort(),
    );
    const outputs = d.transaction('outputs').store;
    expect([...outputs.indexNames].sort()).toEqual(['createdAt', 'names', 'taskId']);
    expect(outputs.index('names').multiEntry).toBe(true);
    expect([...d.transaction('runs').store.indexNames]).toEqual(['startedAt']);
    expect(await databaseNames()).toEqual([DB_NAME]);
  });

  it('finds free names by prefix and a task output through indexes, case-insensitively', async () => {
    await saveOutput(output('Cat', T0, { taskId: 't1', sidecar: { fileName: 'Cat.json', text: '{}' } }));
    await saveOutput(output('Cat (2)', T0 + 1, { taskId: 't2' }));
    await saveOutput(output('dog', T0 + 2));
    expect([...(await outputFileNames('cat'))].sort()).toEqual(['cat (2).mp4', 'cat.json', 'cat.mp4']);
    expect([...(await outputFileNames('DOG'))]).toEqual(['dog.mp4']);
    expect((await findOutputOfTask('t2'))?.id).toBe('Cat (2)');
    expect(await findOutputOfTask('none')).toBeUndefined();
    expect((await listOutputs()).map((r) => r.id)).toEqual(['dog', 'Cat (2)', 'Cat']);
    expect(await getOutput('dog')).not.toHaveProperty('names');
  });
});

describe('one database: an output and its task in one transaction', () => {
  async function runningTask() {
    let s = applyCommand(emptyQueue(), { kind: 'add', id: 'a', request: smallRequest('demo-t2v') }, T0);
    await saveTransition(s);
    s = applyRunnerEvent(
      s.state,
      { kind: 'start', id: 'a', snapshot: undefined as never, fromStep: 0 },
      T0 + 1,
    );
    await saveTransition(s);
    await saveCheckpoint({ taskId: 'a', step: 2 } as never);
    return applyRunnerEvent(s.state, { kind: 'done', id: 'a', outputId: 'out-a' }, T0 + 2);
  }

  it('writes the output, the done task and drops its checkpoint together', async () => {
    const done = await runningTask();
    await saveOutput(output('out-a', T0, { taskId: 'a' }), done);
    expect((await loadQueue()).tasks[0]).toMatchObject({ id: 'a', status: 'done', outputId: 'out-a' });
    expect((await getOutput('out-a'))?.taskId).toBe('a');
    expect(await loadCheckpoint('a')).toBeUndefined();
  });

  it('keeps neither when the disk is full: the task stays running with its checkpoint', async () => {
    const done = await runningTask();
    failNextWrite();
    const err = await rejection(saveOutput(output('out-a', T0, { taskId: 'a' }), done));
    expect(err.code).toBe('storage-full');
    expect(await getOutput('out-a')).toBeUndefined();
    expect((await loadQueue()).tasks[0]?.status).toBe('running');
    expect(await loadCheckpoint('a')).toEqual({ taskId: 'a', step: 2 });
  });
});

/** Records as the previous version stored them, one database per store. */
function previousProfile() {
  const task = newTask(smallRequest('demo-t2v', { prompt: 'old cat' }), { id: 'task-1', rank: 1, now: T0 });
  const v1 = { ...output('v1-clip', T0 - 10), version: 1, video: { $blob: ['mp4 v1', 'video/mp4'] } };
  delete (v1 as Partial<OutputRecord>).kind;
  delete (v1 as Partial<OutputRecord>).media;
  const v2 = {
    ...output('v2-clip', T0, { taskId: 'task-1', sidecar: { fileName: 'v2-clip.json', text: '{}' } }),
    media: { $blob: ['mp4 v2', 'video/mp4'] },
    thumbnail: { $blob: ['png', 'image/png'] },
  };
  const lora = {
    version: 1,
    id: 'ab'.repeat(32),
    name: 'style.safetensors',
    bytes: 10,
    importedAt: T0,
    rank: 4,
    matched: 2,
    unmatched: [],
  };
  const preset = {
    version: 1,
    id: 'p1',
    name: 'Look',
    data: { loras: ['style.safetensors'], loras_mult: '0.8' },
    updatedAt: T0,
  };
  const pack = {
    version: 1,
    id: 'demo-t2v',
    name: 'Demo',
    baseUrl: 'https://x/',
    manifestText: '{}',
    status: 'installed',
    files: [],
    updatedAt: T0,
  };
  return [
    {
      db: 'webgp-queue',
      store: 'tasks',
      entries: [
        ['task-1', task],
        ['~meta', { paused: true }],
      ],
    },
    { db: 'webgp-checkpoints', store: 'checkpoints', entries: [['task-1', { taskId: 'task-1', step: 3 }]] },
    {
      db: 'webgp-outputs',
      store: 'outputs',
      entries: [
        ['v1-clip', v1],
        ['v2-clip', v2],
      ],
    },
    { db: 'webgp-history', store: 'runs', entries: [['task-1#1', runRecord('task-1#1', T0)]] },
    { db: 'webgp-loras', store: 'records', entries: [[lora.id, lora]] },
    { db: 'webgp-lora-presets', store: 'presets', entries: [['p1', preset]] },
    { db: 'webgp-packs', store: 'records', entries: [['demo-t2v', pack]] },
    { db: 'webgp-settings', store: 'settings', entries: [['app', { version: 1, encoder: 'ffmpeg' }]] },
    {
      db: 'webgp-enhancer',
      store: 'settings',
      entries: [['enhancer', { version: 1, provider: 'remote', model: 'm' }]],
    },
  ] as LegacyWrite[];
}

describe('one database: migration from the per-store databases', () => {
  it('moves every record of every old database, then removes the old databases', async () => {
    await writeLegacyDatabases(previousProfile());
    expect(await databaseNames()).toEqual(LEGACY_DATABASES.map(([name]) => name).sort());

    const queue = await loadQueue();
    expect(queue.paused).toBe(true);
    expect(queue.tasks.map((t) => [t.id, (t.request as { prompt?: string }).prompt])).toEqual([
      ['task-1', 'old cat'],
    ]);
    expect(await loadCheckpoint('task-1')).toEqual({ taskId: 'task-1', step: 3 });
    expect((await listOutputs()).map((r) => r.id)).toEqual(['v2-clip', 'v1-clip']);
    expect(await (await getOutput('v1-clip'))?.media.text()).toBe('mp4 v1');
    expect(await (await getOutput('v2-clip'))?.media.text()).toBe('mp4 v2');
    expect((await findOutputOfTask('task-1'))?.id).toBe('v2-clip');
    expect([...(await outputFileNames('v2'))].sort()).toEqual(['v2-clip.json', 'v2-clip.mp4']);
    expect((await listRuns()).map((r) => r.runId)).toEqual(['task-1#1']);
    expect((await listLoras()).map((r) => r.name)).toEqual(['style.safetensors']);
    expect((await listPresets()).map((r) => r.name)).toEqual(['Look']);
    expect((await getRecord('demo-t2v'))?.status).toBe('installed');
    expect((await loadSettings()).encoder).toBe('ffmpeg');
    expect(await loadEnhancerSettings()).toMatchObject({ provider: 'remote', model: 'm' });
    expect(await databaseNames()).toEqual([DB_NAME]);
  });

  it('keeps an old database whose copy fails, copies it on the next start, never overwriting newer records', async () => {
    await writeLegacyDatabases(previousProfile().filter((w) => w.db === 'webgp-lora-presets'));
    failNextWrite(); // the copy's write transaction
    expect(await listPresets()).toEqual([]);
    expect(await databaseNames()).toEqual([DB_NAME, 'webgp-lora-presets']);

    await closeDb(); // the next start
    expect((await listPresets()).map((p) => p.name)).toEqual(['Look']);
    expect(await databaseNames()).toEqual([DB_NAME]);

    // An old tab wrote the old database again after the move: a newer record in the new one wins.
    await writeLegacyDatabases([
      {
        db: 'webgp-lora-presets',
        store: 'presets',
        entries: [
          ['p1', { version: 1, id: 'p1', name: 'Stale', data: { loras: [], loras_mult: '' }, updatedAt: 0 }],
        ],
      },
    ]);
    await closeDb();
    expect((await listPresets()).map((p) => p.name)).toEqual(['Look']);
    expect(await databaseNames()).toEqual([DB_NAME]);
  });

  it('creates no old database on a fresh profile', async () => {
    await loadSettings();
    expect(await databaseNames()).toEqual([DB_NAME]);
  });
});
