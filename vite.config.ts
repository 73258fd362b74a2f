import { defineConfig } from 'vite'

/** The mini-app: built into dist/miniapp and served by the API server under /miniapp/. */
export default defineConfig({
  root: 'src/miniapp',
  base: '/miniapp/',
  build: {
    outDir: '../../dist/miniapp',
    emptyOutDir: true,
    target: 'es2020',
  },
  logLevel: 'warn',
})
