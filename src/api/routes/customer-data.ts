import { createRoute, z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { EXPORT_KINDS, exportFilterSchema } from '../../domain/customer-data/export.service.ts'
import {
  IMPORT_JOB_STATUSES,
  IMPORT_KEEP_DAYS,
  REPORT_LISTED,
} from '../../domain/customer-data/import-jobs.service.ts'
import { MAX_IMPORT_BYTES } from '../../domain/customer-data/member-import.service.ts'
import type { Domain } from '../../domain/index.ts'
import { errorJson } from '../errors.ts'
import { type ApiEnv, actorOf } from '../middleware/api-key.ts'
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
const count = z.number().int()
const ImportJobSchema = z
  .object({
    id: z.string(),
    status: z.enum(IMPORT_JOB_STATUSES),
    onExisting: z.enum(['update', 'skip']),
    fileBytes: count,
    progress: z
      .object({
        rowsTotal: count
          .nullable()
          .openapi({ description: 'Data rows of the file, once it has been read through' }),
        rowsRead: count,
        bytesRead: count,
        bytesTotal: count,
        created: count,
        updated: count,
        unchanged: count,
        failed: count,
      })
      .openapi({ description: 'Written about every half second while the job runs' }),
    report: ImportReportSchema.extend({ results: ImportReportSchema.shape.results.optional() })
      .nullable()
      .openapi({
        description: `Once done: the report of the import. Without report=full it has no per-row results and at most ${REPORT_LISTED} errors and warnings`,
      }),
    reportTotals: z
      .object({ errors: count, warnings: count })
      .nullable()
      .openapi({ description: 'When the lists of the report were cut: their full lengths' }),
    error: z.object({ code: z.string(), message: z.string() }).nullable().openapi({
      description: 'Why a job failed; interrupted: the server stopped, upload the same file again',
    }),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('ImportJob')
const ImportIdParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'imp_3kT9' }),
})

const routes = {
  importMembers: createRoute({
    method: 'post',
    path: '/members/import',
    tags: ['customer data'],
    summary: 'Import members from a CSV file',
    description: `The body is the CSV file (Content-Type: text/csv), UTF-8 or GB18030, with a header line; the columns are in the README. Good rows are imported, bad ones reported with their line; importing the same file again changes nothing. An import that writes is a job: 202 with its URL in Location; it runs in the background, one at a time (a second waits queued), and keeps its result for ${IMPORT_KEEP_DAYS} days whether or not the client that started it is still there. A dry run writes nothing and answers 200 with the report at once.`,
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
      200: json(
        ImportReportSchema,
        'A dry run: what the import would do, and every row it would not import',
      ),
      202: {
        description: 'The import job, queued; poll the URL in Location',
        headers: z.object({
          location: z.string().openapi({ example: '/api/v1/imports/imp_3kT9' }),
        }),
        content: { 'application/json': { schema: ImportJobSchema } },
      },
      ...errorResponses(400, 401, 403),
    },
  }),
  listImports: createRoute({
    method: 'get',
    path: '/imports',
    tags: ['customer data'],
    summary: 'Recent member imports, newest first, without their reports',
    request: {
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
    },
    responses: {
      200: json(z.object({ items: z.array(ImportJobSchema) }), 'The jobs'),
      ...errorResponses(400, 401, 403),
    },
  }),
  getImport: createRoute({
    method: 'get',
    path: '/imports/{id}',
    tags: ['customer data'],
    summary: 'A member import: status, progress and, once done, its report',
    request: {
      params: ImportIdParams,
      query: z.object({
        report: z
          .enum(['summary', 'full'])
          .default('summary')
          .openapi({ description: "full: every row's result and every error and warning" }),
      }),
    },
    responses: {
      200: json(ImportJobSchema, 'The job'),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  cancelImport: createRoute({
    method: 'delete',
    path: '/imports/{id}',
    tags: ['customer data'],
    summary: 'Cancel a queued or running member import',
    description:
      'A running import stops before its next row; the rows it already imported stay (import the file again to finish it: those rows are left unchanged). A finished job is already_done (409).',
    request: { params: ImportIdParams },
    responses: {
      200: json(ImportJobSchema, 'The job, cancelled'),
      ...errorResponses(401, 403, 404, 409),
    },
  }),
  exportCsv: createRoute({
    method: 'get',
    path: '/exports/{kind}',
    tags: ['customer data'],
    summary: "Export members (all, or a saved segment's), the ledger or orders as CSV",
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
      ...errorResponses(400, 401, 403, 404),
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
      const file = Buffer.from(await c.req.arrayBuffer())
      const options = { onExisting: query.onExisting, actor: actorOf(c.get('caller')) }
      if (query.dryRun === 'true')
        return c.json(
          await domain.memberImport.importMembers(file, { ...options, dryRun: true }),
          200,
        )
      const job = await domain.importJobs.start(file, options)
      return c.json(job, 202, { location: `/api/v1/imports/${job.id}` })
    })
    .openapi(routes.listImports, async (c) =>
      c.json({ items: await domain.importJobs.list(c.req.valid('query').limit) }, 200),
    )
    .openapi(routes.getImport, async (c) => {
      const full = c.req.valid('query').report === 'full'
      return c.json(await domain.importJobs.get(c.req.valid('param').id, { full }), 200)
    })
    .openapi(routes.cancelImport, async (c) =>
      c.json(await domain.importJobs.cancel(c.req.valid('param').id), 200),
    )
    .openapi(routes.exportCsv, async (c) => {
      const { kind } = c.req.valid('param')
      const chunks = domain.exports.export(kind, c.req.valid('query'))
      // Read before answering, so that an unknown segment is a 404 rather than a broken file.
      let first: IteratorResult<string> | null = await chunks.next()
      const encoder = new TextEncoder()
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = first ?? (await chunks.next())
          first = null
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
