/** isomorphic-git expects a global Buffer; browsers have none. Install the `buffer` package's when missing. */
import { Buffer } from 'buffer/';

const g = globalThis as { Buffer?: unknown };
if (typeof g.Buffer === 'undefined') g.Buffer = Buffer;
