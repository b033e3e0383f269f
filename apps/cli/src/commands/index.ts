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

export function registerCoreCommands(r: Registrar): void {
  registerInit(r);
  registerSave(r);
  registerHistory(r);
  registerRestore(r);
  registerVerify(r);
  registerHooks(r);
  registerWatch(r);
  registerDiff(r);
  registerCompact(r);
  registerTui(r);
  registerRemote(r);
  registerRetention(r);
  registerArchive(r);
  registerMaintain(r);
  registerSchedule(r);
  registerMetrics(r);
  registerDecrypt(r); // issue 12 item 4
  registerDoctor(r);
  registerCompletion(r);
}
