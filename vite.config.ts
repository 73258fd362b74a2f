import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const page = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * The pages: built into dist/miniapp and served by the API server under /miniapp/, the
 * member's at /miniapp/ and the merchant console at /miniapp/console/.
 */
export default defineConfig({
  root: 'src/miniapp',
  base: '/miniapp/',
  build: {
    outDir: '../../dist/miniapp',
    emptyOutDir: true,
    target: 'es2020',
    rollupOptions: {
      input: {
        member: page('./src/miniapp/index.html'),
        console: page('./src/miniapp/console/index.html'),
      },
    },
  },
  logLevel: 'warn',
})
