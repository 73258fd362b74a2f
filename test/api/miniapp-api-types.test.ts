import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MINIAPP_API_TYPES, miniappApiTypes } from '../../src/cli/miniapp-api-types.ts'

describe('the mini-app’s API types', () => {
  it('are the ones generated from the server’s OpenAPI document (run npm run api-types after a schema change)', async () => {
    const checkedIn = readFileSync(MINIAPP_API_TYPES, 'utf8')
    const generated = await miniappApiTypes()
    expect(checkedIn).toBe(generated)
    // Only what the pages call: the rest of the merchant API stays out of the browser's types.
    expect(generated).toContain('"/api/miniapp/me"')
    expect(generated).toContain('"/api/console/session"')
    expect(generated).toContain('"/api/v1/staff/{id}"')
    expect(generated).toContain('"/api/v1/coupons/{code}/use"')
    expect(generated).toContain('"/api/v1/members/{id}/identities"')
    expect(generated).not.toContain('"/api/v1/orders')
    expect(generated).toContain('"/api/v1/campaigns/{id}/pause"')
    expect(generated).toContain('"/api/v1/segments/preview"')
    expect(generated).not.toContain('"/api/v1/segments/{id}')
    expect(generated).not.toContain('"/api/v1/webhooks')
  })
})
