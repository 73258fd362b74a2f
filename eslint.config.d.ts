import type { Linter } from 'eslint'

/** The import rules of docs/architecture.md alone (test/architecture.test.ts lints with them). */
export const architecture: Linter.Config[]
declare const config: Linter.Config[]
export default config
