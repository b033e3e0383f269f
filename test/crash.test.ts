/**
 * Issue 13 item 2: the crash harness (test/helpers/crash-harness.ts). The normal suite runs one short seed;
 * `pnpm stress` runs SAVEPOINT_STRESS_RUNS kills (default 300) with SAVEPOINT_STRESS_SEED and prints the figures.
 */
import { describe, expect, it } from 'vitest';
import { runCrashHarness } from './helpers/crash-harness.js';

const stress = process.env.SAVEPOINT_STRESS === '1';
const runs = stress ? Number(process.env.SAVEPOINT_STRESS_RUNS ?? 300) : 6;
const seed = Number(process.env.SAVEPOINT_STRESS_SEED ?? 20260501);

describe('crash harness', () => {
  it(`SIGKILL at random moments during save, compact, retention, restore, push, maintain (seed ${seed}, ${runs} runs)`, async () => {
    const f = await runCrashHarness({ seed, runs, ...(stress ? { log: (l: string) => console.log(l) } : {}) });
    console.log(`crash harness: ${JSON.stringify(f)}`);
    expect(f.problems).toEqual([]);
    expect(f.runs).toBe(runs);
    expect(f.kills).toBeGreaterThan(0);
    expect(f.versionsChecked).toBeGreaterThan(runs);
  }, stress ? 6 * 3600_000 : 120_000);
});
