/**
 * `npm run fuzz [cases] [seed]`: runs every parser of user input over 10,000 (or `cases`) fuzzed
 * inputs and prints cases / crashes / hangs per parser, with the first crashing inputs. Exits 1
 * when any parser crashed or hung. The CI slice is tests/unit/fuzz.test.ts.
 */
import { describeInput, fuzz } from './fuzz/harness';
import { fuzzTargets } from './fuzz/targets';

const cases = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
console.log(`fuzz: ${cases} cases per parser, seed ${seed}`);
let bad = 0;
for (const target of await fuzzTargets()) {
  const r = await fuzz(target, cases, seed);
  bad += r.crashes.length + r.hangs.length;
  console.log(
    `${r.name.padEnd(20)} cases ${String(r.cases).padStart(6)}  crashes ${String(r.crashes.length).padStart(4)}  hangs ${String(r.hangs.length).padStart(3)}  accepted ${String(r.accepted).padStart(6)}  (${(r.ms / 1000).toFixed(1)} s)`,
  );
  for (const c of r.crashes.slice(0, 3))
    console.log(`  crash: ${c.error}\n    input: ${describeInput(c.input)}`);
  for (const h of r.hangs.slice(0, 3)) console.log(`  hang ${h.ms.toFixed(0)} ms: ${describeInput(h.input)}`);
}
process.exit(bad ? 1 : 0);
