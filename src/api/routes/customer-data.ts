import { createRoute, z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { EXPORT_KINDS, exportFilterSchema } from '../../domain/customer-data/export.service.ts'
import { MAX_IMPORT_BYTES } from '../../domain/customer-data/member-import.service.ts'
import type { Domain } from '../../domain/index.ts'
import { errorJson } from '../errors.ts'
import type { ApiEnv } from '../middleware/api-key.ts'
import { newRouter } from '../router.ts'
import { errorResponses, json } from '../schemas.ts'

const IssueSchema = z.object({
  line: z.number().int().openapi({ description: 'Line of the file; the header is line 1' }),
  column: z.string().optional(),
  code: z.string(),
  message: z.string(),
})
const ImportReportSchema = z
  .object({
    dryRun: z.boolean(),
    rows: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    failed: z.number().int(),
    errors: z.array(IssueSchema),
    warnings: z.array(IssueSchema),
    results: z.array(
      z.object({
        line: z.number().int(),
        action: z.enum(['create', 'update', 'unchanged']),
        memberId: z.string().nullable(),
        changes: z.array(z.string()),
      }),
    ),
  })
  .openapi('ImportReport')

// Typed with the API's env, so that the handler after it still knows its API key.
const importLimit: MiddlewareHandler<ApiEnv> = bodyLimit({
  maxSize: MAX_IMPORT_BYTES,
  onError: (c) =>
    errorJson(c, 413, 'payload_too_large', 'the file is over 50 MB; import it in several parts'),
})

const routes = {
  importMembers: createRoute({
    method: 'post',
    path: '/members/import',
    tags: ['customer data'],
    summary: 'Import members from a CSV file',
    description:
      'The body is the CSV file (Content-Type: text/csv), UTF-8 or GB18030, with a header line; the columns are in the README. Good rows are imported, bad ones reported with their line; importing the same file again changes nothing.',
    middleware: [importLimit] as const,
    request: {
      query: z.object({
        dryRun: z
          .enum(['true', 'false'])
          .optional()
          .openapi({ description: 'true: report what would happen, write nothing' }),
        onExisting: z.enum(['update', 'skip']).optional().openapi({
          description: 'update (default) fills in what a row states; skip leaves them',
        }),
      }),
      body: { required: true, content: { 'text/csv': { schema: z.string() } } },
    },
    responses: {
      200: json(ImportReportSchema, 'What was imported, and every row that was not'),
      ...errorResponses(400, 401, 403),
    },
  }),
  exportCsv: createRoute({
    method: 'get',
    path: '/exports/{kind}',
    tags: ['customer data'],
    summary: 'Export members, the ledger or orders as CSV',
    description:
      'Streamed; UTF-8 with a byte order mark for Excel. Text cells starting with = + - @ are prefixed with an apostrophe against spreadsheet formulas; the member import takes it off again.',
    request: {
      params: z.object({
        kind: z.enum(EXPORT_KINDS).openapi({ param: { name: 'kind', in: 'path' } }),
      }),
      query: exportFilterSchema,
    },
    responses: {
      200: { description: 'The CSV file', content: { 'text/csv': { schema: z.string() } } },
      ...errorResponses(400, 401, 403),
    },
  }),
}

/** A CSV upload must not be mistaken for the JSON that the rest of the API takes. */
const NOT_CSV = /^(application\/json|multipart\/|application\/x-www-form-urlencoded)/i

export function customerDataRoutes(domain: Domain) {
  return newRouter()
    .openapi(routes.importMembers, async (c) => {
      if (NOT_CSV.test(c.req.header('content-type') ?? '')) {
        return errorJson(
          c,
          415,
          'unsupported_media_type',
          'send the CSV file itself as the body, with Content-Type: text/csv',
        ) as never
      }
      const query = c.req.valid('query')
      const report = await domain.memberImport.importMembers(
        Buffer.from(await c.req.arrayBuffer()),
        {
          dryRun: query.dryRun === 'true',
          onExisting: query.onExisting,
          actor: `api:${c.get('apiKey').name}`,
        },
      )
      return c.json(report, 200)
    })
    .openapi(routes.exportCsv, async (c) => {
      const { kind } = c.req.valid('param')
      const chunks = domain.exports.export(kind, c.req.valid('query'))
      const encoder = new TextEncoder()
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = await chunks.next()
          if (next.done) controller.close()
          else controller.enqueue(encoder.encode(next.value))
        },
        async cancel() {
          await chunks.return(undefined)
        },
      })
      const day = domain.deps.clock.now().toISOString().slice(0, 10)
      return c.body(body, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${kind}-${day}.csv"`,
      })
    })
}
