/**
 * The `webgp` command line (`npx webgp`, see bin/webgp.js). Commands:
 *   dry-run  resolve a task against a pack and print it, its validation, memory and schedule.
 *   check    check a pack folder: pack.json, every file's bytes and sha256, every graph's contract (check.ts).
 *   smoke    install a pack in Chrome, run "Test this pack" and one request (src/cli/smoke.ts).
 * Exit codes: 0 valid task / pack, 1 invalid task / pack (one line per problem), 2 usage error or unknown pack (smoke: 0 pass, 1 fail, 2 usage).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCode } from '../engine/errors';
import { type AnyManifest, parseAnyManifest } from '../engine/pack/any-manifest';
import { tightenLimits } from '../engine/pack/graph-limits';
import { type PackHeader, parseJsonText, parsePackHeader } from '../engine/pack/header';
import { checkPackGraphs } from '../engine/pack/verify-graphs';
import { parseRegistry, type RegistryEntry } from '../engine/pack/registry';
import { enhancerCost } from '../engine/enhancer/enhancer-cost';
import { ENHANCE_MODES } from '../engine/enhancer/provider';
import { numberOption, parseArgs, UsageError } from './args';
import { checkPack } from './check';
import { dryRun, formatReport, type TaskOverrides } from './dry-run';
import { folderReader } from './pack-folder';
import { SMOKE_USAGE, smokeCommand } from './smoke';

const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));
const NUMBERS = ['steps', 'shift', 'width', 'height', 'frames', 'guidance', 'seed'] as const;
const USAGE = `Usage: webgp dry-run --pack <registry id or pack folder> [--solver euler|unipc|dpmpp-2m] [--steps N] [--shift X]
                      [--width W --height H] [--frames N] [--guidance G] [--seed N] [--prompt TEXT] [--negative-prompt TEXT]
                      [--enhance text|image|text-image] [--json]
       webgp check <pack folder>
${SMOKE_USAGE}`;

function readJson(path: string): unknown {
  return parseJsonText(readFileSync(path, 'utf8'), path);
}

/** The bundled registry's entries. */
function registryEntries(): RegistryEntry[] {
  return parseRegistry(readJson(join(MODELS_DIR, 'registry.json')));
}

/** A pack folder given as a path, or a registry id (its pack.json under public/models). */
function resolvePack(arg: string): { packJson: string; entry?: RegistryEntry } {
  if (existsSync(arg) && statSync(arg).isDirectory()) return { packJson: join(arg, 'pack.json') };
  const entries = registryEntries();
  const entry = entries.find((e) => e.id === arg);
  if (!entry)
    throw new UsageError(
      `Unknown pack "${arg}". Valid ids: ${entries.map((e) => e.id).join(', ')} (or a folder holding a pack.json).`,
    );
  const packJson = join(MODELS_DIR, entry.url, 'pack.json');
  if (!existsSync(packJson))
    throw new UsageError(
      `Pack "${arg}" has no pack.json at ${packJson}${entry.demo ? ': run `npm run models` to generate the demo packs' : ''}.`,
    );
  return { packJson, entry };
}

/**
 * The pack's header with the limits its graphs impose (for a pack whose files are in the folder:
 * the same derivation install runs), and whether pack.json is a full, runnable manifest.
 */
async function packHeader(
  packJson: string,
  entry: RegistryEntry | undefined,
): Promise<{ header: PackHeader; manifest?: AnyManifest }> {
  const raw = readJson(packJson) as Record<string, unknown>;
  let limited = raw;
  let manifest: AnyManifest | undefined;
  try {
    manifest = parseAnyManifest(raw, packJson);
    if (!entry?.remote)
      limited = tightenLimits(raw, (await checkPackGraphs(manifest, folderReader(dirname(packJson)))).limits);
  } catch (err) {
    if (errorCode(err) !== 'invalid-manifest') throw err;
  }
  return { header: parsePackHeader(limited, packJson), ...(manifest ? { manifest } : {}) };
}

/** `webgp check <folder>`: exit 0 with a summary, 1 with one line per problem. */
async function runCheck(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [dir, ...extra] = argv;
  if (!dir || dir.startsWith('--'))
    throw new UsageError('Give the pack folder to check: webgp check <folder>.');
  if (extra.length) throw new UsageError(`Unexpected argument "${extra[0]}": webgp check takes one folder.`);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`"${dir}" is not a folder. Give the folder that holds pack.json.`);
  const report = await checkPack(dir);
  (report.ok ? process.stdout : process.stderr).write(`${report.lines.join('\n')}\n`);
  return report.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'check') return runCheck(argv.slice(1));
  const args = parseArgs(
    argv,
    ['pack', 'solver', 'prompt', 'negative-prompt', 'enhance', ...NUMBERS],
    ['json', 'help'],
  );
  if (args.flags.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === undefined) throw new UsageError('Give a command: dry-run, check or smoke.');
  if (args.command !== 'dry-run')
    throw new UsageError(`Unknown command "${args.command}". Commands: dry-run, check, smoke.`);
  const packArg = args.values.get('pack');
  if (!packArg) throw new UsageError('--pack is required.');
  const { packJson, entry } = resolvePack(packArg);
  const { header, manifest } = await packHeader(packJson, entry);
  const o: TaskOverrides = {};
  for (const key of NUMBERS) {
    const n = numberOption(args, key);
    if (n !== undefined) (o as Record<string, number>)[key] = n;
  }
  const solver = args.values.get('solver');
  if (solver !== undefined) o.solver = solver as TaskOverrides['solver'];
  const prompt = args.values.get('prompt');
  if (prompt !== undefined) o.prompt = prompt;
  const negative = args.values.get('negative-prompt');
  if (negative !== undefined) o.negativePrompt = negative;
  const enhance = args.values.get('enhance');
  if (enhance !== undefined) o.enhance = enhance as TaskOverrides['enhance'];
  const cost =
    o.enhance && ENHANCE_MODES.includes(o.enhance) ? enhancerCost(o.enhance, registryEntries()) : undefined;
  const report = dryRun(header, entry, o, manifest, cost);
  process.stdout.write(
    args.flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
  );
  return report.valid ? 0 : 1;
}

try {
  const argv = process.argv.slice(2);
  process.exitCode = argv[0] === 'smoke' ? await smokeCommand(argv.slice(1)) : await main(argv);
} catch (err) {
  const usage = err instanceof UsageError;
  process.stderr.write(`webgp: ${(err as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
  process.exitCode = 2;
}
