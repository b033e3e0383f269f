/**
 * Node globals some dependencies expect, set before they load: isomorphic-git and sha.js use `Buffer`;
 * LightningFS's text-encoding shim looks for `window` or `global`, and a worker has neither.
 */
import { Buffer } from 'buffer';

const g = globalThis as { Buffer?: unknown; global?: unknown };
if (typeof g.Buffer === 'undefined') g.Buffer = Buffer;
if (typeof g.global === 'undefined') g.global = globalThis;
