/**
 * The graph contract: each graph's declared inputs and outputs against what pack.json implies
 * (contract-roles.ts): missing tensors (except `ifDeclared` input roles), inputs nothing feeds,
 * element types and ranks; in a block-streamed chain each slot's producer output against its
 * consumer input, and the chain's boundary slots against the component's roles. Returns one
 * message per problem and, for the fixed-dim limits (graph-limits.ts), which graph tensor each
 * role landed on. Used at install, folder import, `webgp check` and when sessions load.
 */
import type { OnnxValueInfo } from '../onnx/inspect';
import type { AnyManifest } from './any-manifest';
import type { ComponentSpec, StageSpec } from './components';
import { type ComponentExpect, type RoleExpect, roleExpectations } from './contract-roles';

/** A graph's interface; `type` 'unknown' (a loaded session that reports names only) skips type and rank checks. */
export interface GraphIo {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** A component input role and the graph input it is fed to. */
export interface RoleTensor {
  component: string;
  role: string;
  file: string;
  tensor: OnnxValueInfo;
}

export interface ContractResult {
  problems: string[];
  roleTensors: RoleTensor[];
}

/** What a slot holds in a chain: a role's expectation, a derived constant, or an earlier stage's output. */
interface SlotValue {
  type: string;
  rank?: number;
  /** How the message names where it comes from. */
  says: string;
  role?: string;
}

const describe = (type: string, rank?: number) => (rank === undefined ? type : `${type} of rank ${rank}`);
const known = (v: OnnxValueInfo) => v.type !== 'unknown';

/** Messages for a graph tensor that does not match what pack.json (or an earlier stage) gives it. */
function compare(
  file: string,
  kind: 'input' | 'output',
  v: OnnxValueInfo,
  want: SlotValue,
  problems: string[],
): void {
  if (!known(v)) return;
  const verb = kind === 'input' ? 'feeds' : 'reads';
  if (v.type !== want.type)
    problems.push(
      `${file} ${kind} "${v.name}": ${want.says} ${verb} ${want.type}, the graph declares ${v.type}`,
    );
  else if (want.rank !== undefined && v.dims.length !== want.rank) {
    problems.push(
      `${file} ${kind} "${v.name}": ${want.says} ${verb} ${describe(want.type, want.rank)}, the graph declares rank ${v.dims.length} [${v.dims.join(', ')}]`,
    );
  }
}

const fromRole = (e: RoleExpect, role: string): SlotValue => ({
  type: e.type,
  ...(e.rank !== undefined ? { rank: e.rank } : {}),
  says: `pack.json (${role}: ${e.why})`,
  role,
});

function names(list: OnnxValueInfo[]): string {
  return list.length ? list.map((v) => v.name).join(', ') : 'none';
}

function checkSingle(
  name: string,
  c: ComponentSpec,
  expect: ComponentExpect,
  io: GraphIo,
  out: ContractResult,
): void {
  const optional = new Set(c.ifDeclared ?? []);
  const fed = new Set(Object.values(c.inputs));
  for (const [role, tensor] of Object.entries(c.inputs)) {
    const v = io.inputs.find((i) => i.name === tensor);
    if (!v) {
      if (!optional.has(role))
        out.problems.push(
          `${c.file} has no input "${tensor}" (role ${role}); its inputs are: ${names(io.inputs)}. Fix components.${name}.inputs in pack.json, or list ${role} in ifDeclared`,
        );
      continue;
    }
    const e = expect.inputs[role];
    if (e) compare(c.file, 'input', v, fromRole(e, role), out.problems);
    out.roleTensors.push({ component: name, role, file: c.file, tensor: v });
  }
  for (const v of io.inputs)
    if (!fed.has(v.name))
      out.problems.push(
        `${c.file} input "${v.name}": nothing in pack.json feeds it (components.${name}.inputs maps ${[...fed].join(', ') || 'nothing'}), so a run would fail`,
      );
  for (const [role, tensor] of Object.entries(c.outputs)) {
    const v = io.outputs.find((o) => o.name === tensor);
    if (!v)
      out.problems.push(
        `${c.file} has no output "${tensor}" (role ${role}); its outputs are: ${names(io.outputs)}. Fix components.${name}.outputs in pack.json`,
      );
    else if (expect.outputs[role])
      compare(c.file, 'output', v, fromRole(expect.outputs[role], role), out.problems);
  }
}

function checkChain(
  name: string,
  c: ComponentSpec,
  stages: StageSpec[],
  expect: ComponentExpect,
  io: (file: string) => GraphIo | undefined,
  out: ContractResult,
): void {
  const slots = new Map<string, SlotValue>();
  const optionalSlots = new Set<string>();
  for (const [role, slot] of Object.entries(c.inputs)) {
    const e = expect.inputs[role];
    slots.set(slot, e ? fromRole(e, role) : { type: 'unknown', says: `pack.json (${role})`, role });
    if (c.ifDeclared?.includes(role)) optionalSlots.add(slot);
  }
  for (const k of Object.keys(c.constants ?? {}))
    slots.set(k, { type: 'int64', rank: 0, says: `pack.json (constants.${k}: an int64 scalar)` });
  let chainKnown = true;
  for (const stage of stages) {
    const g = io(stage.file);
    if (!g) {
      chainKnown = false; // a missing graph is reported by whoever read the files; later slots are unknown
      continue;
    }
    for (const [input, slot] of Object.entries(stage.feeds)) {
      if (!g.inputs.some((v) => v.name === input) && !optionalSlots.has(slot))
        out.problems.push(
          `${stage.file} has no input "${input}" (slot "${slot}"); its inputs are: ${names(g.inputs)}. Fix its feeds in pack.json`,
        );
    }
    for (const v of g.inputs) {
      const slot = stage.feeds[v.name] ?? v.name;
      const have = slots.get(slot);
      if (!have) {
        if (chainKnown)
          out.problems.push(
            `${stage.file} input "${v.name}": nothing in pack.json or an earlier stage feeds slot "${slot}", so a run would fail`,
          );
        continue;
      }
      if (have.type !== 'unknown') compare(stage.file, 'input', v, have, out.problems);
      if (have.role) out.roleTensors.push({ component: name, role: have.role, file: stage.file, tensor: v });
    }
    for (const [output] of Object.entries(stage.emits)) {
      if (!g.outputs.some((v) => v.name === output))
        out.problems.push(
          `${stage.file} has no output "${output}"; its outputs are: ${names(g.outputs)}. Fix its emits in pack.json`,
        );
    }
    for (const v of g.outputs) {
      const slot = stage.emits[v.name] ?? v.name;
      slots.set(
        slot,
        known(v)
          ? { type: v.type, rank: v.dims.length, says: `${stage.file} output "${v.name}" (slot "${slot}")` }
          : { type: 'unknown', says: '' },
      );
    }
  }
  if (!chainKnown) return;
  for (const [role, slot] of Object.entries(c.outputs)) {
    const have = slots.get(slot);
    const last = stages[stages.length - 1]?.file ?? name;
    if (!have)
      out.problems.push(
        `no stage of components.${name} writes slot "${slot}" (role ${role}). Fix components.${name}.outputs in pack.json`,
      );
    else if (expect.outputs[role] && have.type !== 'unknown') {
      const e = expect.outputs[role];
      if (have.type !== e.type || (e.rank !== undefined && have.rank !== e.rank)) {
        out.problems.push(
          `${last} slot "${slot}" (role ${role}): pack.json (${e.why}) reads ${describe(e.type, e.rank)}, ${have.says} gives ${describe(have.type, have.rank)}`,
        );
      }
    }
  }
}

/** Checks one component's graphs that `io` returns against `expect` (what the engine feeds and reads per role). */
export function checkComponent(
  name: string,
  c: ComponentSpec,
  expect: ComponentExpect,
  io: (file: string) => GraphIo | undefined,
  out: ContractResult,
): void {
  if (c.stages) checkChain(name, c, c.stages, expect, io, out);
  else {
    const g = io(c.file);
    if (g) checkSingle(name, c, expect, g, out);
  }
}

/**
 * Checks every graph of `m` whose interface `io` returns (undefined: not available, e.g. a
 * missing file, reported elsewhere).
 */
export function checkContract(m: AnyManifest, io: (file: string) => GraphIo | undefined): ContractResult {
  const out: ContractResult = { problems: [], roleTensors: [] };
  const expect = roleExpectations(m);
  for (const [name, c] of Object.entries(m.components as Record<string, ComponentSpec | undefined>)) {
    if (c) checkComponent(name, c, expect[name] ?? { inputs: {}, outputs: {} }, io, out);
  }
  return out;
}

/**
 * The contract of one graph `file` of component `name` as its session loads (sessions may report
 * names only); without `expect`, only names, unfed inputs and ifDeclared are checked.
 */
export function checkLoadedGraph(
  name: string,
  c: ComponentSpec,
  expect: ComponentExpect | undefined,
  file: string,
  io: GraphIo,
): string[] {
  const out: ContractResult = { problems: [], roleTensors: [] };
  checkComponent(name, c, expect ?? { inputs: {}, outputs: {} }, (f) => (f === file ? io : undefined), out);
  return out.problems;
}
