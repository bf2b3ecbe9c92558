/**
 * Any pack.json the installer, the folder import and the pack list meet: a generation pack
 * (manifest.ts) or a video pack (segment-points / matting-memory, media-manifest.ts), told
 * apart by `pipeline` and validated by the parser for that kind.
 */
import { MEDIA_PIPELINES, parseJsonText } from './header';
import { type PackManifest, parseManifest } from './manifest';
import { type MattingManifest, parseMediaManifest, type SegmentManifest } from './media-manifest';

export type AnyManifest = PackManifest | SegmentManifest | MattingManifest;

/** Whether `m` is a video (segmentation or matting) pack. */
export function isMediaManifest(m: AnyManifest): m is SegmentManifest | MattingManifest {
  return (MEDIA_PIPELINES as readonly string[]).includes(m.pipeline);
}

/** Validates pack.json content of any pack; throws EngineError('invalid-manifest') listing every bad field. */
export function parseAnyManifest(raw: unknown, source = 'pack.json'): AnyManifest {
  const pipeline =
    typeof raw === 'object' && raw !== null ? (raw as { pipeline?: unknown }).pipeline : undefined;
  return (MEDIA_PIPELINES as readonly unknown[]).includes(pipeline)
    ? parseMediaManifest(raw, source)
    : parseManifest(raw, source);
}

/** Parses pack.json text of any pack, turning a JSON syntax error into the same named error. */
export function parseAnyManifestText(text: string, source = 'pack.json'): AnyManifest {
  return parseAnyManifest(parseJsonText(text, source), source);
}
