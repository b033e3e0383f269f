import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Static files only (dist/): any static server can host the page. Relative asset paths so it also works
// from a sub-folder.
export default defineConfig({
  base: './',
  plugins: [react()],
  // isomorphic-git's dependencies import Node's `buffer`; the npm package of the same name stands in for it.
  resolve: { alias: { buffer: 'buffer/' } },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: true, chunkSizeWarningLimit: 1500, rolldownOptions: { checks: { pluginTimings: false } } },
});
