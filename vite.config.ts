import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The renderer: built to dist/renderer with relative URLs, so the same files work from the loopback
 * host (http://127.0.0.1) and from Electron's custom protocol. Everything is bundled (fonts too):
 * a kiosk must work with no network.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 800,
  },
  server: { strictPort: false },
});
