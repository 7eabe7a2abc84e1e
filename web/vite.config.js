// Builds the web app into the directory the server serves (--web-root); the CMake target `web`
// passes YIWANG_WEB_OUT. Element Plus is imported per component so the citizen path stays small;
// the cockpit (ECharts) and admin pages are separate chunks loaded on demand.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import AutoImport from 'unplugin-auto-import/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';

const backend = process.env.YIWANG_DEV_BACKEND || 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [
    vue(),
    AutoImport({ resolvers: [ElementPlusResolver()], dts: false }),
    Components({ resolvers: [ElementPlusResolver()], dts: false }),
  ],
  build: {
    outDir: process.env.YIWANG_WEB_OUT || 'dist',
    emptyOutDir: true,
    // "/assets/" already belongs to the server's built-in pages.
    assetsDir: 'static',
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/ledger', '/verify', '/wallet', '/.well-known', '/assets', '/open311'].map((p) => [p, backend]),
    ),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.js'],
  },
});
