/** Plain TaskRequests and run records for tests (no runtime imports, so pure-logic tests stay light). */
import type { RunRecord } from '../../src/engine/queue/history';
import type { TaskRequest } from '../../src/engine/request';

/** A small valid request (128x128, 9 frames, 6 steps) for a generated pack. */
export function smallRequest(packId: string, patch: Partial<TaskRequest> = {}): TaskRequest {
  return {
    packId,
    prompt: 'a red ball',
    negativePrompt: '',
    seed: 42,
    steps: 6,
    frames: 9,
    resolution: '128x128',
    solver: 'euler',
    shift: 3,
    guidance: 1,
    ...patch,
  };
}

/** A finished run record of `smallRequest` (1.5 s long, one MP4 artifact). */
export function runRecord(runId: string, startedAt: number, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    runId,
    taskId: `task-${runId}`,
    startedAt,
    endedAt: startedAt + 1500,
    status: 'done',
    settingsHash: 'a'.repeat(64),
    request: smallRequest('demo-t2v', { prompt: `clip ${runId}` }),
    fromStep: 0,
    artifacts: [
      {
        role: 'video',
        fileName: `${runId}.mp4`,
        container: 'mp4',
        codec: 'avc1.42001f',
        frames: 9,
        durationSeconds: 0.5625,
        bytes: 1234,
        outputId: runId,
      },
    ],
    ...patch,
  };
}
