#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so that `npx jifen` needs no build step.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/index.ts')
