/**
 * WanGP LoRA multiplier syntax (deepbeepmeep/Wan2GP shared/utils/loras_mutipliers.py,
 * `parse_loras_multipliers` and `expand_slist`): whitespace (or one `|`, or new lines; `#` lines
 * are comments) separates LoRAs, in the order they are selected; `;` splits one LoRA's value by
 * guidance phase; within a phase, `:` splits it into the conditional and the unconditional (CFG)
 * pass's value (`1:0` — the LoRA only in the conditional pass; `1,0.5:0` — a schedule on the
 * conditional pass only); `,` gives a per-step schedule whose values are spread evenly over the
 * steps of the phase, or over all steps for a LoRA without `;` (3 values over 30 steps: steps
 * 0–9, 10–19, 20–29). A LoRA with no entry gets 1. Errors name the position (1-based character
 * index in the text) of the bad value.
 */
import { EngineError } from '../errors';

/** One LoRA's multipliers: per phase, the list of schedule values. */
export type LoraSchedule = number[][];

export interface ParsedMultipliers {
  /** One entry per LoRA given in the text (the conditional pass's values). */
  loras: LoraSchedule[];
  /** The same for the unconditional pass: equal to `loras` where a value has no `:`. */
  uncond: LoraSchedule[];
}

/** Which denoising pass a multiplier is for: the prompt's (cond) or the negative prompt's (uncond). */
export type GuidancePass = 'cond' | 'uncond';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function number(raw: string, pos: number, token: string): number {
  if (raw === '') error(`A value is missing at position ${pos + 1} of the LoRA multipliers ("${token}").`);
  const v = Number(raw);
  if (!NUMBER.test(raw) || !Number.isFinite(v)) error(`"${raw}" at position ${pos + 1} is not a number.`);
  return v;
}

/** A `,` schedule starting at `pos` in the text. */
function schedule(text: string, pos: number, token: string): number[] {
  return text.split(',').map((raw) => {
    const v = number(raw, pos, token);
    pos += raw.length + 1;
    return v;
  });
}

function error(message: string): never {
  throw new EngineError('invalid-request', message, { loras: message });
}

/** Parses a multiplier string; `count` (when given) is the number of selected LoRAs it may not exceed. */
export function parseMultipliers(text: string, count?: number): ParsedMultipliers {
  const loras: LoraSchedule[] = [];
  const uncond: LoraSchedule[] = [];
  const re = /[^\s|]+/g;
  const comment = new Set<number>();
  // Comment lines: every character of a line starting with # is skipped.
  let at = 0;
  for (const line of text.split('\n')) {
    if (line.trim().startsWith('#')) for (let i = 0; i < line.length; i++) comment.add(at + i);
    at += line.length + 1;
  }
  const bars = [...text.matchAll(/\|/g)].map((m) => m.index).filter((i) => !comment.has(i));
  if (bars.length > 1)
    error(
      `The LoRA multipliers have a second "|" at position ${(bars[1] as number) + 1}: WanGP allows one (it ends the accelerator LoRAs' values).`,
    );
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (comment.has(m.index)) continue;
    const token = m[0];
    let offset = m.index;
    const phases: number[][] = [];
    const uphases: number[][] = [];
    for (const phase of token.split(';')) {
      const sides = phase.split(':');
      if (sides.length > 2)
        error(
          `"${phase}" at position ${offset + 1} has more than one ":" (write conditional:unconditional, e.g. 1:0).`,
        );
      const [c = '', u] = sides;
      const values = schedule(c, offset, token);
      phases.push(values);
      uphases.push(u === undefined ? values : schedule(u, offset + c.length + 1, token));
      offset += phase.length + 1;
    }
    loras.push(phases);
    uncond.push(uphases);
  }
  if (count !== undefined && loras.length > count) {
    error(
      `The LoRA multipliers give ${loras.length} values but ${count} LoRA${count === 1 ? ' is' : 's are'} selected: remove the extra ones.`,
    );
  }
  return { loras, uncond };
}

/** The phase (0 or 1) of each step: phase 2 starts at `switchStep` (undefined: one phase). */
export function stepPhases(steps: number, switchStep?: number): number[] {
  return Array.from({ length: steps }, (_, i) => (switchStep !== undefined && i >= switchStep ? 1 : 0));
}

/** Throws when a LoRA gives a per-phase value (`;`) for another number of guidance phases than the task has. */
export function checkPhases(parsed: ParsedMultipliers, phases: number): void {
  parsed.loras.forEach((s, i) => {
    if (s.length > 1 && s.length !== phases) {
      error(
        `LoRA ${i + 1} has ${s.length} phases (separated by ;) but this task has ${phases} guidance phase${phases === 1 ? '' : 's'}.`,
      );
    }
  });
}

/**
 * The effective multiplier of each LoRA at each step: [step][lora]. `phaseOf[i]` is step i's
 * guidance phase; `phases` the task's number of guidance phases (default: as many as `phaseOf`
 * reaches). A LoRA without `;` spreads its schedule over all steps, whatever the phases (WanGP's
 * "shared" schedules); one with `;` spreads each phase's schedule over that phase's steps.
 */
export function multipliersPerStep(
  parsed: ParsedMultipliers,
  loraCount: number,
  phaseOf: readonly number[],
  phases = Math.max(0, ...phaseOf) + 1,
  pass: GuidancePass = 'cond',
): number[][] {
  checkPhases(parsed, phases);
  const schedules = pass === 'cond' ? parsed.loras : parsed.uncond;
  const phaseLen = (p: number) => phaseOf.filter((x) => x === p).length;
  return phaseOf.map((phase, step) => {
    const start = phaseOf.indexOf(phase);
    return Array.from({ length: loraCount }, (_, l) => {
      const s = schedules[l];
      if (!s) return 1;
      const shared = s.length === 1;
      const values = (shared ? s[0] : s[phase]) as number[];
      const [at, n] = shared ? [step, phaseOf.length] : [step - start, phaseLen(phase)];
      const k = Math.min(values.length - 1, Math.floor((at * values.length) / n));
      return values[k] as number;
    });
  });
}

/** Steps at which some LoRA's multiplier differs from the step before (always includes 0). */
export function changeSteps(perStep: number[][]): number[] {
  return perStep.flatMap((m, i) => (i === 0 || m.join() !== (perStep[i - 1] as number[]).join() ? [i] : []));
}
