import fc from 'fast-check'
import {
  type Hints,
  valueOf,
  type Invalid,
  type JsonSchema,
  invalidLeaves,
  invalidOf,
  namedValueOf,
} from './openapi-fuzz.ts'

/** One operation of the OpenAPI document, as far as building requests for it needs. */
export interface Operation {
  method: string
  path: string
  parameters: Parameter[]
  body?: { required: boolean; contentType: string; schema: JsonSchema }
  /** Whom the operation answers: an API key, a mini-app session, or anyone. */
  caller: 'apiKey' | 'miniapp' | 'public'
}

interface Parameter {
  in: 'path' | 'query' | 'header'
  name: string
  required: boolean
  schema: JsonSchema
}

export interface OpenApiDocument {
  security?: Record<string, string[]>[]
  paths: Record<string, Record<string, OperationObject>>
}

interface OperationObject {
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> }
  security?: Record<string, string[]>[]
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const security = operation.security ?? document.security ?? []
      const content = Object.entries(operation.requestBody?.content ?? {})[0]
      return {
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: content && {
          required: operation.requestBody?.required ?? false,
          contentType: content[0],
          schema: content[1].schema,
        },
        caller:
          security.length === 0
            ? 'public'
            : security.some((s) => 'miniappSession' in s)
              ? 'miniapp'
              : 'apiKey',
      } satisfies Operation
    }),
  )
}

/** What a generated request sends; `credential` is resolved by the test that has the keys. */
export interface FuzzRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  credential: Credential
}

/** proper: the credential the operation asks for (an admin key on the merchant API). */
export type Credential = 'proper' | 'pos' | 'none' | 'bogus'

/**
 * What exists in the database: ids by the path segment before the parameter (`members` for
 * /members/{id}), and values by property or query name for bodies and queries.
 */
export interface Seeded extends Hints {
  paths: Record<string, string[]>
  /**
   * Bodies the domain accepts, by operation (`PUT /api/v1/programme`), for random requests
   * that change one property of one: the domain's own rules (tiers in order, lines that add
   * up) are rarely met by chance. The `fresh` properties are new in every request (an id).
   */
  bodies?: Record<string, { accepted: Record<string, unknown>[]; fresh?: string[] }>
}

/** An accepted body with one property given any value of its schema, and its ids new. */
function nearlyAccepted(operation: Operation, seeded: Seeded): fc.Arbitrary<unknown> | null {
  const known = seeded.bodies?.[`${operation.method} ${operation.path}`]
  const properties = Object.entries(operation.body?.schema.properties ?? {})
  if (!known || known.accepted.length === 0 || properties.length === 0) return null
  const fresh = Object.fromEntries((known.fresh ?? []).map((key) => [key, fc.uuid()]))
  return fc
    .tuple(
      fc.constantFrom(...known.accepted),
      fc.oneof(
        ...properties.map(([key, schema]) =>
          namedValueOf(key, schema, seeded).map((value) => ({ [key]: value })),
        ),
      ),
      fc.record(fresh),
    )
    .map(([accepted, changed, ids]) => ({ ...accepted, ...changed, ...ids }))
}

function poolKey(path: string, name: string): string {
  const segments = path.split('/')
  return segments[segments.indexOf(`{${name}}`) - 1] ?? name
}

/** What a header may carry: fetch refuses anything beyond Latin-1, as no HTTP client sends it. */
const headerChar = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code))

function paramValue(operation: Operation, parameter: Parameter, seeded: Seeded) {
  const { minLength = 0, maxLength = 64 } = parameter.schema
  const generated =
    parameter.in === 'header'
      ? fc.oneof(fc.uuid(), fc.string({ unit: headerChar, minLength, maxLength }))
      : namedValueOf(parameter.name, parameter.schema, seeded).map(String)
  const known =
    parameter.in === 'path' ? seeded.paths[poolKey(operation.path, parameter.name)] : undefined
  if (!known || known.length === 0) return generated
  return fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 4 }, generated)
}

/**
 * Parameters are text on the wire: a number bound becomes its digits; a non-string value is no
 * wrong type for a string parameter (7 is the text "7"), so only string cases are kept there.
 */
function invalidParamValues(parameter: Parameter): fc.Arbitrary<Invalid> | null {
  const numeric = parameter.schema.type === 'integer' || parameter.schema.type === 'number'
  const texts = invalidLeaves(parameter.schema)
    .filter((c) =>
      numeric ? c.value !== null && typeof c.value !== 'object' : typeof c.value === 'string',
    )
    .map((c) => ({ why: c.why, value: String(c.value) }))
  return texts.length === 0 ? null : fc.constantFrom(...texts)
}

interface Parts {
  path: Record<string, string>
  query: Record<string, string>
  header: Record<string, string>
}

function validParts(operation: Operation, seeded: Seeded): fc.Arbitrary<Parts> {
  const entries = (where: Parameter['in']) =>
    fc.record(
      Object.fromEntries(
        operation.parameters
          .filter((p) => p.in === where)
          .map((p) => [p.name, paramValue(operation, p, seeded)]),
      ),
      {
        requiredKeys: operation.parameters
          .filter((p) => p.in === where && p.required)
          .map((p) => p.name),
      },
    ) as fc.Arbitrary<Record<string, string>>
  return fc.record({ path: entries('path'), query: entries('query'), header: entries('header') })
}

function urlOf(operation: Operation, parts: Parts): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(parts.path[name] ?? ''),
  )
  const query = new URLSearchParams(parts.query).toString()
  return query ? `${path}?${query}` : path
}

/** A CSV of the import's shape: a header the import knows, and rows of anything. */
const csvBody = fc
  .tuple(
    fc.constantFrom('displayName,phone,birthday,tags', 'phone', 'displayName', ''),
    fc.array(
      fc
        .array(
          fc.oneof(fc.string({ maxLength: 16 }), fc.string({ maxLength: 16, unit: 'binary' })),
          {
            maxLength: 4,
          },
        )
        .map((cells) => cells.join(',')),
      {
        maxLength: 5,
      },
    ),
  )
  .map(([header, rows]) => [header, ...rows].join('\n'))

function bodyOf(operation: Operation, seeded: Seeded): fc.Arbitrary<string> {
  if (!operation.body) return fc.constant('')
  if (operation.body.contentType === 'text/csv') return csvBody
  // Now and then any JSON at all, not of the document's shape.
  const near = nearlyAccepted(operation, seeded)
  return fc
    .oneof(
      { arbitrary: valueOf(operation.body.schema, seeded), weight: 5 },
      fc.jsonValue({ maxDepth: 3 }),
      ...(near ? [{ arbitrary: near, weight: 5 }] : []),
    )
    .map((value) => JSON.stringify(value))
}

function request(
  operation: Operation,
  parts: Parts,
  body: string | undefined,
  contentType: string | undefined,
  credential: Credential,
): FuzzRequest {
  return {
    method: operation.method,
    url: urlOf(operation, parts),
    headers: { ...parts.header, ...(contentType ? { 'content-type': contentType } : {}) },
    ...(body === undefined ? {} : { body }),
    credential,
  }
}

/** Requests of the operation's shape with random values, and now and then the wrong caller. */
export function randomRequests(operation: Operation, seeded: Seeded): fc.Arbitrary<FuzzRequest> {
  const credential = fc.oneof(
    { arbitrary: fc.constant<Credential>('proper'), weight: 6 },
    fc.constantFrom<Credential>('pos', 'none', 'bogus'),
  )
  return fc
    .tuple(validParts(operation, seeded), bodyOf(operation, seeded), credential)
    .map(([parts, body, who]) =>
      request(
        operation,
        parts,
        operation.body ? body : undefined,
        operation.body?.contentType,
        who,
      ),
    )
}

/** A request the document says is invalid, with the rule it breaks. */
export interface InvalidRequest {
  why: string
  request: FuzzRequest
}

/**
 * Requests that break the document in one place each, from the caller it asks for: a bad path,
 * query or header parameter, a body that breaks its schema, is missing, is not JSON, or comes
 * with another content type.
 */
export function invalidRequests(
  operation: Operation,
  seeded: Seeded,
): fc.Arbitrary<InvalidRequest> | null {
  const base = fc.tuple(validParts(operation, seeded), bodyOf(operation, seeded))
  const send = (
    parts: Parts,
    body: string | undefined,
    contentType = operation.body?.contentType,
  ) => request(operation, parts, body, contentType, 'proper')
  const options: fc.Arbitrary<InvalidRequest>[] = []
  for (const parameter of operation.parameters) {
    const invalid = invalidParamValues(parameter)
    if (!invalid) continue
    options.push(
      fc.tuple(base, invalid).map(([[parts, body], bad]) => ({
        why: `${parameter.in} ${parameter.name}: ${bad.why}`,
        request: send(
          { ...parts, [parameter.in]: { ...parts[parameter.in], [parameter.name]: bad.value } },
          operation.body ? body : undefined,
        ),
      })),
    )
  }
  const body = operation.body
  if (body?.required)
    options.push(
      base.map(([parts]) => ({
        why: 'the required body missing',
        request: send(parts, undefined, undefined),
      })),
    )
  if (body?.contentType === 'application/json') {
    const invalid = invalidOf(body.schema, seeded)
    if (invalid)
      options.push(
        fc.tuple(base, invalid).map(([[parts], bad]) => ({
          why: `body: ${bad.why}`,
          request: send(parts, JSON.stringify(bad.value)),
        })),
      )
    options.push(
      fc
        .tuple(base, fc.constantFrom('{"', 'not json', '{"a":1}}', "{'a': 1}", ''))
        .map(([[parts], text]) => ({ why: 'a body that is not JSON', request: send(parts, text) })),
      base.map(([parts, json]) => ({
        why: 'JSON sent as text/plain',
        request: send(parts, json, 'text/plain'),
      })),
    )
  }
  if (body?.contentType === 'text/csv')
    options.push(
      base.map(([parts, csv]) => ({
        why: 'a CSV sent as application/json',
        request: send(parts, JSON.stringify(csv), 'application/json'),
      })),
    )
  return options.length === 0 ? null : fc.oneof(...options)
}
