#!/usr/bin/env node
// In a checkout, the CLI runs its TypeScript through tsx (a dev dependency), so that `npx jifen`
// needs no build step and never runs code older than the source. A production install (no dev
// dependencies, as in the container image) has no tsx: there it runs the compiled dist/server/cli.js.
let tsx
try {
  tsx = await import('tsx/esm/api')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
}
if (tsx) {
  tsx.register()
  await import('../src/cli/index.ts')
} else {
  await import('../dist/server/cli.js')
}
