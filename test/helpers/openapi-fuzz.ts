import fc from 'fast-check'

/**
 * The part of JSON Schema that the API's OpenAPI document uses for its requests (zod-openapi
 * writes no $ref, allOf or const there). A keyword outside it is ignored, which can only make a
 * generated value less often invalid, never wrongly called invalid.
 */
export interface JsonSchema {
  type?: JsonType | JsonType[]
  enum?: unknown[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  minItems?: number
  maxItems?: number
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: string
}

type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null'

/** A value the schema refuses, and why, so that a failure says which rule the API ignored. */
export interface Invalid {
  why: string
  value: unknown
}

/**
 * What makes generated values reach the domain instead of its first 404 or 400: values known
 * to exist by property name (a `rewardId` that is a reward), and dates around the clock's now.
 */
export interface Hints {
  now: Date
  known: Record<string, unknown[]>
}

const DAY_MS = 86_400_000

/** Most dates a few days around now, where the domain accepts them; some far off. */
function dateTimes(now: Date): fc.Arbitrary<string> {
  const around = (days: number) => ({
    min: new Date(now.getTime() - days * DAY_MS),
    max: new Date(now.getTime() + days * DAY_MS),
    noInvalidDate: true,
  })
  return fc
    .oneof({ arbitrary: fc.date(around(7)), weight: 4 }, fc.date(around(3_650)))
    .map((date) => date.toISOString())
}

/** Longest string or array generated where the schema sets no bound: enough to be varied. */
const FREE_LENGTH = 24
const FREE_ITEMS = 3

/** JSON Schema reads a pattern as a Unicode regular expression. */
function patternOf(schema: JsonSchema): RegExp | undefined {
  return schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u')
}

function typesOf(schema: JsonSchema): JsonType[] {
  if (schema.type !== undefined) return Array.isArray(schema.type) ? schema.type : [schema.type]
  if (schema.enum) return [...new Set(schema.enum.map(jsonTypeOf))]
  const branches = schema.anyOf ?? schema.oneOf
  if (branches) return [...new Set(branches.flatMap(typesOf))]
  return []
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value as JsonType
}

function integerIn(min: number, max: number): fc.Arbitrary<number> {
  const small = fc.integer({ min: Math.max(min, -1_000), max: Math.min(max, 1_000) })
  const whole = fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number)
  const edges = fc.constantFrom(min, max)
  return min <= 1_000 && max >= -1_000
    ? fc.oneof({ arbitrary: small, weight: 3 }, whole, edges)
    : fc.oneof(whole, edges)
}

function stringOf(schema: JsonSchema, hints: Hints): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0
  const maxLength = schema.maxLength ?? Math.max(minLength, FREE_LENGTH)
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength
  if (schema.format === 'date-time') return dateTimes(hints.now)
  if (schema.format === 'uri') return fc.webUrl().filter(fits)
  const pattern = patternOf(schema)
  if (pattern) return fc.stringMatching(pattern).filter(fits)
  const bound = { minLength, maxLength: Math.min(maxLength, Math.max(minLength, FREE_LENGTH)) }
  // binary: any code point, NUL, control characters and lone surrogates included.
  return fc.oneof(
    { arbitrary: fc.string(bound), weight: 2 },
    fc.string({ ...bound, unit: 'grapheme' }),
    fc.string({ ...bound, unit: 'binary' }),
  )
}

/** Values of the shape the schema describes; the domain's own rules may still refuse them. */
export function valueOf(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum)
  const branches = schema.anyOf ?? schema.oneOf
  if (branches) return fc.oneof(...branches.map((branch) => valueOf(branch, hints)))
  const types = typesOf(schema)
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 })
  return fc.oneof(...types.map((type) => valueOfType(schema, type, hints)))
}

/** A value for a property or parameter: often one known to exist under that name. */
export function namedValueOf(
  name: string,
  schema: JsonSchema,
  hints: Hints,
): fc.Arbitrary<unknown> {
  const generated = valueOf(schema, hints)
  const known = hints.known[name]
  if (!known || known.length === 0) return generated
  return fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 4 }, generated)
}

function valueOfType(schema: JsonSchema, type: JsonType, hints: Hints): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null)
    case 'boolean':
      return fc.boolean()
    case 'integer':
      return integerIn(
        schema.minimum ?? Number.MIN_SAFE_INTEGER,
        schema.maximum ?? Number.MAX_SAFE_INTEGER,
      )
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e12,
        max: schema.maximum ?? 1e12,
        noNaN: true,
        noDefaultInfinity: true,
      })
    case 'string':
      return stringOf(schema, hints)
    case 'array': {
      const minLength = schema.minItems ?? 0
      const maxLength = Math.min(schema.maxItems ?? FREE_ITEMS, Math.max(minLength, FREE_ITEMS))
      return fc.array(valueOf(schema.items ?? {}, hints), { minLength, maxLength })
    }
    case 'object':
      return objectOf(schema, hints)
  }
}

function objectOf(schema: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {}
  const fixed = fc.record(
    Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [key, namedValueOf(key, value, hints)]),
    ),
    { requiredKeys: (schema.required ?? []).filter((key) => key in properties) },
  )
  const extra = schema.additionalProperties
  if (typeof extra !== 'object') return fixed
  return fc
    .tuple(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), valueOf(extra, hints), {
        maxKeys: 3,
      }),
      fixed,
    )
    .map(([free, known]) => ({ ...free, ...known }))
}

/** One sample of each JSON type, to pick a value of a type the schema does not allow. */
const SAMPLES: Record<JsonType, unknown> = {
  string: 'fuzz',
  integer: 7,
  number: 7.5,
  boolean: true,
  null: null,
  array: [],
  object: {},
}

function wrongTypes(schema: JsonSchema): Invalid[] {
  const allowed = typesOf(schema)
  if (allowed.length === 0) return []
  return (Object.keys(SAMPLES) as JsonType[])
    .filter(
      (type) => !allowed.includes(type) && !(type === 'integer' && allowed.includes('number')),
    )
    .map((type) => ({
      why: `a ${type} where ${allowed.join(' or ')} is required`,
      value: SAMPLES[type],
    }))
}

/** Strings that break a pattern of the document, each tried against the pattern itself. */
const OFF_PATTERN = [
  '',
  ' ',
  'fuzz fuzz',
  'ZZ-1',
  '12',
  '/',
  'a/b',
  '\u0007',
  'ab',
  'abcd',
  '25:61',
  '2025-1-1',
  '9'.repeat(21),
]

/** The invalid values of a scalar: wrong types and broken bounds, patterns, formats, enums. */
export function invalidLeaves(schema: JsonSchema): Invalid[] {
  const cases = wrongTypes(schema)
  const types = typesOf(schema)
  if (schema.enum && !schema.enum.includes('fuzz-not-listed'))
    cases.push({
      why: `a value outside the enum ${schema.enum.join('|')}`,
      value: 'fuzz-not-listed',
    })
  if (types.includes('integer') || types.includes('number')) {
    if (schema.minimum !== undefined)
      cases.push({ why: `below the minimum ${schema.minimum}`, value: schema.minimum - 1 })
    if (schema.maximum !== undefined)
      cases.push({ why: `above the maximum ${schema.maximum}`, value: schema.maximum + 1 })
  }
  if (types.includes('integer') && !types.includes('number')) {
    const base = schema.minimum ?? schema.maximum ?? 0
    cases.push({ why: 'not an integer', value: base + 0.5 })
  }
  if (types.includes('string') && !schema.enum) {
    if (schema.maxLength !== undefined)
      cases.push({
        why: `over maxLength ${schema.maxLength}`,
        value: 'x'.repeat(schema.maxLength + 1),
      })
    if (schema.minLength !== undefined && schema.minLength > 0)
      cases.push({
        why: `under minLength ${schema.minLength}`,
        value: 'x'.repeat(schema.minLength - 1),
      })
    const pattern = patternOf(schema)
    if (pattern)
      for (const value of OFF_PATTERN.filter((s) => !pattern.test(s)).slice(0, 3))
        cases.push({ why: `not matching ${schema.pattern}`, value })
    if (schema.format === 'date-time')
      cases.push(
        { why: 'not a date-time', value: 'yesterday' },
        { why: 'not a date-time', value: '2025-13-01T00:00:00Z' },
      )
    if (schema.format === 'uri') cases.push({ why: 'not a uri', value: 'not a url' })
  }
  return cases
}

/**
 * Values the schema refuses: a wrong type, a number or a string out of its bounds, a required
 * field missing, an unknown field where the object is strict, or one of these deep inside an
 * otherwise valid value. null when the schema accepts everything.
 */
export function invalidOf(schema: JsonSchema, hints: Hints): fc.Arbitrary<Invalid> | null {
  const options: fc.Arbitrary<Invalid>[] = []
  const leaves = invalidLeaves(schema)
  if (leaves.length > 0) options.push(fc.constantFrom(...leaves))
  // A union refuses a value only when every branch does: the wrong types above are the ones
  // no branch allows, and an empty object misses a required field of every object branch;
  // deeper mutations could satisfy another branch, so they are not made.
  const branches = schema.anyOf ?? schema.oneOf
  if (branches?.every((b) => typesOf(b).join() === 'object' && (b.required?.length ?? 0) > 0))
    options.push(fc.constant({ why: 'an object that matches no branch', value: {} }))
  const types = typesOf(schema)
  if (!schema.anyOf && !schema.oneOf && !schema.enum) {
    if (types.includes('object') && schema.properties)
      options.push(...invalidObjects(schema, hints))
    if (types.includes('array')) options.push(...invalidArrays(schema, hints))
  }
  return options.length === 0 ? null : fc.oneof(...options)
}

function invalidObjects(schema: JsonSchema, hints: Hints): fc.Arbitrary<Invalid>[] {
  const base = objectOf(schema, hints)
  const properties = schema.properties ?? {}
  const options: fc.Arbitrary<Invalid>[] = []
  const required = (schema.required ?? []).filter((key) => key in properties)
  if (required.length > 0)
    options.push(
      fc.tuple(base, fc.constantFrom(...required)).map(([value, key]) => {
        const { [key]: _missing, ...rest } = value
        return { why: `required ${key} missing`, value: rest }
      }),
    )
  if (schema.additionalProperties === false)
    options.push(
      base.map((value) => ({
        why: 'an unknown field where the object is strict',
        value: { ...value, fuzzUnknown: 1 },
      })),
    )
  const deep = Object.entries(properties).flatMap(([key, property]) => {
    const invalid = invalidOf(property, hints)
    return invalid
      ? [
          fc.tuple(base, invalid).map(([value, inner]) => ({
            why: `${key}: ${inner.why}`,
            value: { ...value, [key]: inner.value },
          })),
        ]
      : []
  })
  if (deep.length > 0) options.push(fc.oneof(...deep))
  const extra = schema.additionalProperties
  if (typeof extra === 'object') {
    const invalid = invalidOf(extra, hints)
    if (invalid)
      options.push(
        fc.tuple(base, invalid).map(([value, inner]) => ({
          why: `fuzzKey: ${inner.why}`,
          value: { ...value, fuzzKey: inner.value },
        })),
      )
  }
  return options
}

function invalidArrays(schema: JsonSchema, hints: Hints): fc.Arbitrary<Invalid>[] {
  const item = valueOf(schema.items ?? {}, hints)
  const options: fc.Arbitrary<Invalid>[] = []
  if (schema.maxItems !== undefined) {
    const over = schema.maxItems + 1
    options.push(
      fc.array(item, { minLength: over, maxLength: over }).map((value) => ({
        why: `over maxItems ${schema.maxItems}`,
        value,
      })),
    )
  }
  if (schema.minItems !== undefined && schema.minItems > 0) {
    const under = schema.minItems - 1
    options.push(
      fc.array(item, { minLength: under, maxLength: under }).map((value) => ({
        why: `under minItems ${schema.minItems}`,
        value,
      })),
    )
  }
  const invalidItem = schema.items ? invalidOf(schema.items, hints) : null
  if (invalidItem) {
    const length = Math.max(schema.minItems ?? 1, 1)
    const others = fc.array(item, { minLength: length - 1, maxLength: length - 1 })
    options.push(
      fc.tuple(others, invalidItem).map(([rest, inner]) => ({
        why: `an item: ${inner.why}`,
        value: [inner.value, ...rest],
      })),
    )
  }
  return options
}
