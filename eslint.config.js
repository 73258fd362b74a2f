// The dependency direction of docs/architecture.md, enforced (test/architecture.test.ts runs these
// rules alone), and typescript-eslint's type-aware recommended rules over every TypeScript file.
import tseslint from 'typescript-eslint'

const chatSdks = ['telegraf', 'telegraf/*', 'wechaty', 'wechaty-*', 'wechaty/*']
const httpFramework = ['hono', 'hono/*', '@hono/*']
// The metrics registry is an adapter concern: the API and the workers record, the domain counts.
const metricsLibrary = ['prom-client', 'prom-client/*']

/** no-restricted-imports for a folder: these packages and these of our folders are off limits. */
function restrict(files, { packages = [], folders = [], message }) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(packages.length ? [{ group: packages, message }] : []),
            ...folders.map((folder) => ({ group: [`**/${folder}`, `**/${folder}/**`], message })),
          ],
        },
      ],
    },
  }
}

/**
 * An adapter imports the conversation core, its own SDK and the ports it implements
 * (domain/ports.ts), nothing of another adapter.
 */
function adapter(name, sdk) {
  const others = ['telegram', 'wechat', 'wechat-official', 'console'].filter(
    (other) => other !== name,
  )
  const message =
    'an adapter imports the conversation core, its own SDK and domain/ports.ts, nothing of another adapter'
  const rule = restrict([`src/bots/${name}/**/*.ts`], {
    // Bare names, so that a sibling import ('../telegram/x.ts') is caught too.
    folders: ['api', 'jobs', 'cli', 'db', 'miniapp', ...others],
    packages: [...httpFramework, ...chatSdks.filter((pkg) => !sdk.includes(pkg))],
    message,
  })
  rule.rules['no-restricted-imports'][1].patterns.push({
    group: ['**/domain/**', '!**/domain/ports.ts'],
    message,
  })
  return rule
}

const ignores = { ignores: ['node_modules/**', 'data/**', 'dist/**', 'test-artifacts/**'] }

/** Which folder may import which: the shape of docs/architecture.md. */
export const architecture = tseslint.config(
  ignores,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser },
    // Known here too, so that a disable comment naming one of its rules is understood when the
    // architecture test lints with these rules alone.
    plugins: { '@typescript-eslint': tseslint.plugin },
  },
  restrict(['db/**/*.ts'], {
    folders: ['src'],
    message: 'db/ is the data layer: it imports kysely and the drivers, never src/',
  }),
  restrict(['src/shared/**/*.ts'], {
    folders: ['domain', 'api', 'bots', 'jobs', 'cli', 'miniapp', 'db', 'metrics'],
    packages: [...httpFramework, ...chatSdks, ...metricsLibrary],
    message: 'src/shared imports nothing of the project',
  }),
  restrict(['src/domain/**/*.ts'], {
    folders: [
      'api',
      'bots',
      'jobs',
      'cli',
      'miniapp',
      'connectors',
      'metrics',
      'config.ts',
      'main.ts',
    ],
    packages: [...httpFramework, ...chatSdks, ...metricsLibrary],
    message:
      'the domain never imports HTTP, chat SDKs, metrics or adapters; adapters implement domain/ports.ts',
  }),
  restrict(['src/metrics/**/*.ts'], {
    folders: ['api', 'bots', 'jobs', 'cli', 'miniapp', 'connectors', 'config.ts', 'main.ts'],
    packages: [...httpFramework, ...chatSdks],
    message:
      'src/metrics is the Prometheus registry: it reads the domain at scrapes; the API and jobs record into it',
  }),
  restrict(['src/api/**/*.ts'], {
    folders: ['bots', 'jobs', 'cli', 'main.ts'],
    packages: chatSdks,
    message:
      'the API imports the domain only; the Telegram webhook route calls an injected handler',
  }),
  restrict(['src/bots/core/**/*.ts'], {
    folders: [
      'api',
      'jobs',
      'cli',
      'bots/telegram',
      'bots/wechat',
      'bots/wechat-official',
      'bots/console',
    ],
    packages: [...httpFramework, ...chatSdks],
    message: 'the conversation core is channel-agnostic: no SDK, no adapter',
  }),
  adapter('telegram', ['telegraf', 'telegraf/*']),
  adapter('wechat', ['wechaty', 'wechaty-*', 'wechaty/*']),
  // The Official Account has no SDK: its API is plain HTTPS, its XML is read by the API's route.
  adapter('wechat-official', []),
  restrict(['src/connectors/**/*.ts'], {
    folders: ['api', 'bots', 'jobs', 'cli', 'miniapp', 'db', 'config.ts', 'main.ts'],
    packages: [...httpFramework, ...chatSdks],
    message:
      'a shop connector reads a shop payload into the domain types; the API route verifies and calls it',
  }),
  restrict(['src/jobs/**/*.ts'], {
    folders: ['api', 'bots', 'cli'],
    packages: [...httpFramework, ...chatSdks],
    message: 'jobs use the domain and send through an adapter interface wired in main.ts',
  }),
  restrict(['src/miniapp/**/*.ts', 'src/miniapp/**/*.tsx'], {
    folders: ['domain', 'api', 'bots', 'jobs', 'cli', 'shared', 'db', 'config.ts', 'main.ts'],
    packages: [...httpFramework, ...chatSdks, 'kysely', 'pg', 'better-sqlite3'],
    message: 'the mini-app is browser code: it talks to the server over /api/miniapp only',
  }),
  restrict(['src/charts/**/*.ts'], {
    folders: ['domain', 'api', 'bots', 'jobs', 'cli', 'miniapp', 'db', 'config.ts', 'main.ts'],
    packages: [...httpFramework, ...chatSdks],
    message: 'src/charts draws the numbers it is given: it imports its chart library only',
  }),
  {
    files: ['src/**/*.ts', 'db/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'only src/config.ts reads the environment' },
      ],
    },
  },
)

export default tseslint.config(
  ...architecture,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its error: every floating promise is awaited, returned,
      // or marked `void` where fire-and-forget is the point (and then handles its own errors).
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function that awaits nothing still turns a throw into a rejection, which is what
      // every caller of a handler or a port expects; so `async` stays where the signature is async.
      '@typescript-eslint/require-await': 'off',
      // `_name` is how an argument an interface demands, or a key left out of a copy, says so.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read API answers and fixtures as untyped JSON on purpose: the assertions are the
    // type check there.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
)
