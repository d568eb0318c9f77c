import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// Vite 8 transforms TSX itself through oxc; no React plugin is needed (and none installs here).
export default defineConfig({
  root: here,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npx vite --config apps/gateway/console/vite.config.ts` proxies the API to a running gateway.
    proxy: Object.fromEntries(
      ['/console/people', '/programs', '/reviews', '/restricted-parties', '/priority-areas', '/funding-accounts',
        '/disbursements', '/assessments', '/audit'].map((path) => [path, process.env.GATEWAY_URL ?? 'http://localhost:3000']),
    ),
  },
});
