/**
 * The ONNX side of pack.json: graph files with their external-data shards, free-dimension
 * overrides and dtypes; components that map roles to tensor names; and block-streamed
 * components (a chain of stages that pass tensors by name, `repeat` expanding N blocks).
 * Parsing records every wrong field by path (see validate-helpers.ts).
 */
import { isAllowedFetchUrl } from './pack-url';
import { FieldErrors, type Json } from './validate-helpers';

export const FLOAT_TYPES = ['float32', 'float16'] as const;
export type FloatType = (typeof FLOAT_TYPES)[number];

/** One external-data file of a graph: `path` as recorded in the graph, `file` where it is in the pack. */
export interface ExternalDataSpec {
  path: string;
  file: string;
  bytes?: number;
  sha256?: string;
  /** Absolute URL the file is downloaded from instead of the pack folder (then bytes and sha256 are pinned). */
  url?: string;
}

/** One ONNX graph file. */
export interface GraphSpec {
  file: string;
  bytes?: number;
  sha256?: string;
  /** Absolute URL the file is downloaded from instead of the pack folder (then bytes and sha256 are pinned). */
  url?: string;
  externalData: ExternalDataSpec[];
  /** Symbolic dimension name → value (ORT `freeDimensionOverrides`). */
  freeDimensions?: Record<string, number>;
}

/** One stage of a block-streamed component: graph inputs read from, and outputs written to, named slots. */
export interface StageSpec extends GraphSpec {
  /** Graph input name → slot name (default: the same name). */
  feeds: Record<string, string>;
  /** Graph output name → slot name (default: the same name). */
  emits: Record<string, string>;
}

/** A value derived from a slot's shape, fed as an int64 scalar (FastWan's ppf/pph/ppw). */
export interface DerivedConstant {
  slot: string;
  axis: number;
  divide: number;
}

/**
 * A component: one graph (`file`) or a chain of `stages`. `inputs`/`outputs` map the engine's roles
 * to tensor names (for a chain: to slot names, the first stage reading them, the last writing them).
 */
export interface ComponentSpec extends GraphSpec {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  /** dtype of the graph's float inputs/outputs; fp16 graphs need `shader-f16` on WebGPU. */
  dtype: FloatType;
  /**
   * dtype the graph computes in, when it differs from its boundaries: q4f16 graphs with float32
   * inputs and outputs (Z-Image) still need `shader-f16` on WebGPU.
   */
  compute?: FloatType;
  stages?: StageSpec[];
  /** Block-streamed: at most this many stage sessions exist at once (the next is created while one runs). */
  resident?: number;
  constants?: Record<string, DerivedConstant>;
  /**
   * Input roles fed only when the graph declares that input (exporters drop unused inputs:
   * MatAnyone 2's first_frame_refine has no `f16`). The graph check accepts their absence and the
   * runners leave them out; every other mapped input must be in the graph.
   */
  ifDeclared?: string[];
}

/** Roles a component must (and may) map. */
export interface RoleSet {
  inputs: readonly string[];
  outputs: readonly string[];
  optionalInputs?: readonly string[];
  optionalOutputs?: readonly string[];
}

const MAX_REPEAT = 512;

/** A file name inside the pack: relative, no `..`, no backslashes. */
export function checkPackPath(
  e: FieldErrors,
  v: unknown,
  path: string,
  optional = false,
): string | undefined {
  const file = e.string(v, path, { optional });
  if (file !== undefined && (file.split('/').includes('..') || file.startsWith('/') || file.includes('\\'))) {
    e.add(path, 'must be a file name inside the pack');
    return undefined;
  }
  return file;
}

/** Index and count of a repeated stage's copy, when the graph is one. */
interface Repeat {
  index: number;
  count: number;
}

/** Integrity (and source) of one file as pack.json gives them. */
export interface FileIntegrity {
  bytes?: number;
  sha256?: string;
  url?: string;
}

/** A file's own download URL: absolute https (http only on the local machine, for tests). */
function checkFileUrl(e: FieldErrors, v: unknown, path: string): string | undefined {
  const raw = e.string(v, path, { optional: true });
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  const ok = url && isAllowedFetchUrl(url);
  if (!ok) {
    e.add(
      path,
      `"${raw}" is not an absolute https: URL (http: is only allowed for localhost, 127.0.0.1 and [::1])`,
    );
    return undefined;
  }
  return raw;
}

/**
 * `bytes`/`sha256` (and an optional own `url`) of a file. In a repeated stage each may be a list
 * with one entry per repeat (the files differ); copy `repeat.index` reads its own entry, and a
 * url string has its `{i}` expanded. A file with a url must pin both bytes and sha256.
 */
function integrity(
  e: FieldErrors,
  o: Json,
  path: string,
  repeat?: Repeat,
  keys = { bytes: 'bytes', sha256: 'sha256', url: 'url' },
): FileIntegrity {
  const pick = (which: 'bytes' | 'sha256' | 'url'): [unknown, string] => {
    const field = keys[which];
    const v = o[field];
    if (!Array.isArray(v)) return [v, `${path}.${field}`];
    if (!repeat)
      e.add(`${path}.${field}`, 'a list is only allowed in a repeated stage (one entry per repeat)');
    else if (v.length !== repeat.count) {
      if (repeat.index === 0)
        e.add(`${path}.${field}`, `expected ${repeat.count} entries (one per repeat), got ${v.length}`);
    } else return [v[repeat.index], `${path}.${field}[${repeat.index}]`];
    return [undefined, ''];
  };
  const [rawSha, shaPath] = pick('sha256');
  const [rawBytes, bytesPath] = pick('bytes');
  const [rawUrl, urlPath] = pick('url');
  const sha256 = e.string(rawSha, shaPath, { optional: true });
  if (sha256 && !/^[0-9a-f]{64}$/.test(sha256)) e.add(shaPath, 'expected 64 lowercase hex digits');
  const bytes = e.number(rawBytes, bytesPath, { min: 1, integer: true, optional: true });
  const checked = checkFileUrl(e, rawUrl, urlPath);
  const url = checked !== undefined && repeat ? expandIndex(checked, repeat.index) : checked;
  if (rawUrl !== undefined && (rawBytes === undefined || rawSha === undefined)) {
    const lacking = [rawBytes === undefined ? keys.bytes : '', rawSha === undefined ? keys.sha256 : '']
      .filter(Boolean)
      .join(' and ');
    if (!repeat || repeat.index === 0)
      e.add(
        urlPath || `${path}.${keys.url}`,
        `a file downloaded from its own url must pin bytes and sha256 (add ${lacking})`,
      );
  }
  return {
    ...(bytes !== undefined ? { bytes } : {}),
    ...(sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}),
    ...(url !== undefined ? { url } : {}),
  };
}

/** Optional `bytes`/`sha256`/`url` of a non-graph file (tokenizer, embedding table); `prefix` names e.g. `scalesBytes`/`scalesSha256`/`scalesUrl`. */
export function fileIntegrity(e: FieldErrors, o: Json, path: string, prefix = ''): FileIntegrity {
  return integrity(
    e,
    o,
    path,
    undefined,
    prefix ? { bytes: `${prefix}Bytes`, sha256: `${prefix}Sha256`, url: `${prefix}Url` } : undefined,
  );
}

/** The folder part of a pack path ("onnx/a.onnx" → "onnx/"). */
export function folderOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i + 1);
}

/** Replaces `{i}` / `{i:2}` (zero-padded width) in a repeated stage's strings. */
function expandIndex(template: string, i: number): string {
  return template.replace(/\{i(?::(\d))?\}/g, (_, w: string | undefined) =>
    String(i).padStart(Number(w ?? 0), '0'),
  );
}

function stringMap(e: FieldErrors, v: unknown, path: string): Record<string, string> {
  if (v === undefined) return {};
  const o = e.object(v, path) ?? {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    const s = e.string(val, `${path}.${k}`);
    if (s) out[k] = s;
  }
  return out;
}

function graph(e: FieldErrors, c: Json, path: string, repeat?: Repeat): GraphSpec {
  const sub = (s: string) => (repeat === undefined ? s : expandIndex(s, repeat.index));
  const rawFile = checkPackPath(e, c.file, `${path}.file`) ?? '';
  const file = sub(rawFile);
  const externalData = (
    c.externalData === undefined ? [] : (e.array(c.externalData, `${path}.externalData`) ?? [])
  ).map((x, i) => {
    const at = `${path}.externalData[${i}]`;
    const o = e.object(x, at) ?? {};
    const dataPath = sub(checkPackPath(e, o.path, `${at}.path`) ?? '');
    const inPack = checkPackPath(e, o.file, `${at}.file`, true);
    return {
      path: dataPath,
      file: inPack ? sub(inPack) : folderOf(file) + dataPath,
      ...integrity(e, o, at, repeat),
    };
  });
  let freeDimensions: Record<string, number> | undefined;
  if (c.freeDimensions !== undefined) {
    freeDimensions = {};
    for (const [k, val] of Object.entries(e.object(c.freeDimensions, `${path}.freeDimensions`) ?? {})) {
      const n = e.number(val, `${path}.freeDimensions.${k}`, { min: 1, integer: true });
      if (n !== undefined) freeDimensions[k] = n;
    }
  }
  return {
    file,
    ...integrity(e, c, path, repeat),
    externalData,
    ...(freeDimensions ? { freeDimensions } : {}),
  };
}

function stages(e: FieldErrors, v: unknown, path: string): StageSpec[] {
  const list = e.array(v, path) ?? [];
  if (!list.length) e.add(path, 'must list at least one stage');
  return list.flatMap((s, i) => {
    const at = `${path}[${i}]`;
    const o = e.object(s, at) ?? {};
    const repeat =
      o.repeat === undefined
        ? undefined
        : e.number(o.repeat, `${at}.repeat`, { min: 1, max: MAX_REPEAT, integer: true });
    const one = (r?: Repeat): StageSpec => ({
      ...graph(e, o, at, r),
      feeds: stringMap(e, o.feeds, `${at}.feeds`),
      emits: stringMap(e, o.emits, `${at}.emits`),
    });
    if (repeat === undefined) return [one()];
    const first = one({ index: 0, count: repeat });
    const rest = Array.from({ length: repeat - 1 }, (_, k) => one({ index: k + 1, count: repeat }));
    if (rest.length && rest[0]?.file === first.file)
      e.add(`${at}.file`, 'a repeated stage needs {i} in its file name');
    return [first, ...rest];
  });
}

function constants(e: FieldErrors, v: unknown, path: string): Record<string, DerivedConstant> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, DerivedConstant> = {};
  for (const [name, raw] of Object.entries(e.object(v, path) ?? {})) {
    const o = e.object(raw, `${path}.${name}`) ?? {};
    const slot = e.string(o.slot, `${path}.${name}.slot`);
    const axis = e.number(o.axis, `${path}.${name}.axis`, { min: 0, max: 7, integer: true });
    const divide =
      e.number(o.divide, `${path}.${name}.divide`, { min: 1, integer: true, optional: true }) ?? 1;
    if (slot && axis !== undefined) out[name] = { slot, axis, divide };
  }
  return out;
}

function roleMap(
  e: FieldErrors,
  v: unknown,
  path: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Record<string, string> {
  const obj = e.object(v, path) ?? {};
  const out: Record<string, string> = {};
  for (const role of required) {
    const name = e.string(obj[role], `${path}.${role}`);
    if (name) out[role] = name;
  }
  for (const role of optional) {
    const name = e.string(obj[role], `${path}.${role}`, { optional: true });
    if (name) out[role] = name;
  }
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key))
      e.add(`${path}.${key}`, `unknown role. Should be one of: ${[...required, ...optional].join(', ')}`);
  }
  return out;
}

/** Parses one component at `path` with the roles it must map. */
export function parseComponent(e: FieldErrors, v: unknown, path: string, roles: RoleSet): ComponentSpec {
  const c = e.object(v, path) ?? {};
  const chained = c.stages !== undefined;
  if (chained && c.file !== undefined) e.add(`${path}.file`, 'give either file or stages, not both');
  const base: GraphSpec = chained ? { file: '', externalData: [] } : graph(e, c, path);
  const spec: ComponentSpec = {
    ...base,
    inputs: roleMap(e, c.inputs, `${path}.inputs`, roles.inputs, roles.optionalInputs),
    outputs: roleMap(e, c.outputs, `${path}.outputs`, roles.outputs, roles.optionalOutputs),
    dtype: (e.string(c.dtype, `${path}.dtype`, { oneOf: FLOAT_TYPES, optional: true }) ??
      'float32') as FloatType,
  };
  const compute = e.string(c.compute, `${path}.compute`, { oneOf: FLOAT_TYPES, optional: true }) as
    FloatType | undefined;
  if (compute) spec.compute = compute;
  if (chained) {
    spec.stages = stages(e, c.stages, `${path}.stages`);
    const resident = e.number(c.resident, `${path}.resident`, { min: 1, integer: true, optional: true });
    if (resident !== undefined) spec.resident = resident;
  } else if (c.resident !== undefined) e.add(`${path}.resident`, 'only for a component with stages');
  const consts = constants(e, c.constants, `${path}.constants`);
  if (consts) spec.constants = consts;
  if (c.ifDeclared !== undefined) {
    const roles = (e.array(c.ifDeclared, `${path}.ifDeclared`) ?? []).map(
      (r, i) => e.string(r, `${path}.ifDeclared[${i}]`) ?? '',
    );
    roles.forEach((r, i) => {
      if (r && spec.inputs[r] === undefined)
        e.add(
          `${path}.ifDeclared[${i}]`,
          `"${r}" is not one of this component's mapped input roles (${Object.keys(spec.inputs).join(', ')})`,
        );
    });
    spec.ifDeclared = roles.filter((r) => r && spec.inputs[r] !== undefined);
  }
  return spec;
}

/** Whether any component has fp16 boundaries, or fp16 compute behind float32 ones: both need WebGPU's shader-f16. */
export function needsShaderF16(components: Record<string, ComponentSpec | undefined>): boolean {
  return Object.values(components).some((c) => c?.dtype === 'float16' || c?.compute === 'float16');
}

/** The graphs a component consists of (itself, or its stages). */
export function componentGraphs(
  c: ComponentSpec,
): (GraphSpec & { feeds?: Record<string, string>; emits?: Record<string, string> })[] {
  return c.stages ?? [c];
}
