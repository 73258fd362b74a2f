// Compiles the server and the `jifen` CLI to JavaScript in dist/server, so that production runs
// them with plain node: no tsx, no vite at run time. One bundle of our own code per entry; every
// package stays an import of node_modules (native drivers, Wechaty's puppets loaded by name).
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

const outdir = 'dist/server'
// Chunk names carry a hash: without a clean folder, old chunks would pile up beside the new ones.
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { main: 'src/main.ts', cli: 'src/cli/index.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  packages: 'external',
  // Keeps main.ts's dynamic import of the WeChat bot a chunk of its own, loaded (with Wechaty)
  // only when WECHATY_PUPPET is set, as it is when run from source.
  splitting: true,
  sourcemap: true,
  logLevel: 'warning',
})
