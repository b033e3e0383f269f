#!/usr/bin/env node
/**
 * The `savepoint` executable. Kept tiny on purpose: Node ≥ 22.1 caches compiled code between runs once
 * enableCompileCache() is called, and that only covers modules loaded after the call, so everything else
 * (commander, the commands, core) comes in through the dynamic import below.
 */
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./run.js');
