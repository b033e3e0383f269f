export { main } from './main.js';
export { exitCodeFor, EXIT } from './exit-codes.js';
