import { z } from 'zod'
import { DomainError } from '../../shared/errors.ts'
import type { DomainDeps } from '../context.ts'

export const productInputSchema = z.object({
  name: z.object({
    'zh-CN': z.string().trim().min(1).max(200),
    en: z.string().trim().min(1).max(200),
  }),
  /** Days one unit lasts; absent or null for products without a usage cycle. */
  usageCycleDays: z.number().int().min(1).max(3_650).nullable().optional(),
  /** Overrides the programme's days-before for this product. */
  remindDaysBefore: z.number().int().min(0).max(365).nullable().optional(),
})
export type ProductInput = z.input<typeof productInputSchema>

export interface ProductView {
  sku: string
  name: { 'zh-CN': string; en: string }
  usageCycleDays: number | null
  remindDaysBefore: number | null
  updatedAt: string
}

/** The products a member's supply is counted in: how long one unit lasts, when to remind. */
export class ReminderProducts {
  constructor(private readonly deps: DomainDeps) {}

  async upsertProduct(sku: string, raw: ProductInput): Promise<ProductView> {
    const parsed = productInputSchema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new DomainError('invalid_input', issue.message, { field: issue.path.join('.') })
    }
    if (!/^.{1,200}$/.test(sku))
      throw new DomainError('invalid_input', 'a SKU is 1 to 200 characters', { field: 'sku' })
    const input = parsed.data
    const row = {
      sku,
      nameZh: input.name['zh-CN'],
      nameEn: input.name.en,
      usageCycleDays: input.usageCycleDays ?? null,
      remindDaysBefore: input.remindDaysBefore ?? null,
      updatedAt: this.deps.clock.now().toISOString(),
    }
    await this.deps.store.db
      .insertInto('products')
      .values(row)
      .onConflict((oc) =>
        oc.column('sku').doUpdateSet({
          nameZh: row.nameZh,
          nameEn: row.nameEn,
          usageCycleDays: row.usageCycleDays,
          remindDaysBefore: row.remindDaysBefore,
          updatedAt: row.updatedAt,
        }),
      )
      .execute()
    return this.product(sku)
  }

  async product(sku: string): Promise<ProductView> {
    const row = await this.deps.store.db
      .selectFrom('products')
      .selectAll()
      .where('sku', '=', sku)
      .executeTakeFirst()
    if (!row) throw new DomainError('not_found', `no product ${sku}`)
    return toProductView(row)
  }

  async listProducts(): Promise<ProductView[]> {
    const rows = await this.deps.store.db
      .selectFrom('products')
      .selectAll()
      .orderBy('sku')
      .limit(1_000)
      .execute()
    return rows.map(toProductView)
  }
}

function toProductView(row: {
  sku: string
  nameZh: string
  nameEn: string
  usageCycleDays: number | null
  remindDaysBefore: number | null
  updatedAt: string
}): ProductView {
  return {
    sku: row.sku,
    name: { 'zh-CN': row.nameZh, en: row.nameEn },
    usageCycleDays: row.usageCycleDays,
    remindDaysBefore: row.remindDaysBefore,
    updatedAt: row.updatedAt,
  }
}
