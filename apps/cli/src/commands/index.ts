/** Registers every command; one file per command (group). */
import type { Registrar } from '../context.js';
import { registerInit } from './init.js';
import { registerSave } from './save.js';
import { registerHistory } from './history.js';
import { registerRestore } from './restore.js';
import { registerVerify } from './verify.js';
import { registerHooks } from './hooks.js';
import { registerWatch } from './watch.js';
import { registerDiff } from './diff.js';
import { registerCompact } from './compact.js';
import { registerTui } from './tui.js';
import { registerRemote } from './remote.js';
import { registerArchive, registerRetention } from './retention.js';
import { registerMaintain } from './maintain.js';
import { registerSchedule } from './schedule.js';
import { registerMetrics } from './metrics.js';
import { registerDecrypt } from './decrypt.js';
import { registerDoctor } from './doctor.js';
import { registerCompletion } from './completion.js';

/**
 * Every register function with the top-level command names (and aliases) it adds, in `--help` order.
 * commands/index.test.ts checks each list against what its function really registers.
 */
export const REGISTRARS: readonly (readonly [names: readonly string[], register: (r: Registrar) => void])[] = [
  [['init'], registerInit],
  [['save'], registerSave],
  [['log', 'experiments', 'find', 'reindex', 'show', 'status', 'tag', 'export', 'cat'], registerHistory],
  [['restore'], registerRestore],
  [['verify', 'repair'], registerVerify],
  [['hooks'], registerHooks],
  [['watch'], registerWatch],
  [['diff'], registerDiff],
  [['compact'], registerCompact],
  [['tui'], registerTui],
  [['remote', 'push', 'fetch', 'pull', 'clone'], registerRemote],
  [['retention'], registerRetention],
  [['archive'], registerArchive],
  [['maintain'], registerMaintain],
  [['schedule'], registerSchedule],
  [['metrics'], registerMetrics],
  [['decrypt'], registerDecrypt], // issue 12 item 4
  [['doctor', 'audit'], registerDoctor],
  [['completion'], registerCompletion],
];

/**
 * Registers every command, or, given the name of the command being run, only the register function that adds
 * it (issue 17: `savepoint log` need not build the other ~50 commands and their options). A name no function
 * adds (a typo, `help`) registers everything, so commander's suggestions and help see the whole tree;
 * `completion` walks the whole tree, so it gets it too.
 */
export function registerCoreCommands(r: Registrar, only?: string): void {
  const one = only === undefined || only === 'completion' ? undefined : REGISTRARS.find(([names]) => names.includes(only));
  for (const [, register] of one ? [one] : REGISTRARS) register(r);
}
