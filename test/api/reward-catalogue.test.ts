import { beforeAll, describe, expect, it } from 'vitest'
import type { StaffRole } from '../../src/domain/staff/staff.service.ts'
import { REWARD_IMAGE_MAX_BYTES } from '../../src/domain/rewards/images.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'
import { picture } from '../helpers/png.ts'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `the reward catalogue: pictures, pause, retire, dates [${db.name}]`,
    () => {
      let api: ApiFixture
      beforeAll(async () => {
        api = await createApiFixture(db)
        return () => api.store.cleanup()
      })

      let nextId = 990_000
      async function staffToken(role: StaffRole): Promise<string> {
        const { code } = await api.domain.staff.createInvite(role)
        const record = await api.domain.staff.acceptInvite(code, 'telegram', String(++nextId), role)
        const link = await api.domain.staffSessions.createLink(record.id)
        return (await api.domain.staffSessions.openFromLink(link.code)).token
      }
      async function memberToken(locale = 'zh-CN'): Promise<string> {
        const member = await api.domain.members.register({
          displayName: `Member ${++nextId}`,
          telegramId: String(nextId),
          locale,
        })
        const link = await api.domain.miniapp.createLink(member.id)
        const res = await api.call(
          'POST',
          '/api/miniapp/session',
          { token: link.token },
          { key: null },
        )
        expect(res.status).toBe(200)
        return res.body.token as string
      }
      async function reward(body: Record<string, unknown> = {}) {
        const res = await api.call('POST', '/api/v1/rewards', {
          name: { 'zh-CN': '招牌奶茶', en: 'House milk tea' },
          kind: 'gift',
          pointsCost: 100,
          ...body,
        })
        expect(res.status).toBe(201)
        return res.body as { id: string }
      }
      const upload = (id: string, bytes: Uint8Array, key: string | null, type = 'image/png') =>
        api.app.request(`/api/v1/rewards/${id}/image`, {
          method: 'PUT',
          headers: { 'content-type': type, ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: new Uint8Array(bytes),
        })
      const memberRewards = async (token: string) => {
        const res = await api.call('GET', '/api/miniapp/rewards', undefined, { key: token })
        expect(res.status).toBe(200)
        return res.body.items as { id: string; name: string; imageUrl: string | null }[]
      }

      it('a manager sets a picture: it is served from this server, cached for good, and the member page shows it', async () => {
        const manager = await staffToken('manager')
        const { id } = await reward()
        const png = picture('png')
        const res = await upload(id, png, manager)
        expect(res.status).toBe(200)
        const { imageUrl } = (await res.json()) as { imageUrl: string }
        expect(imageUrl).toMatch(new RegExp(`^/media/rewards/${id}/[0-9a-f]{64}$`))

        const served = await api.app.request(imageUrl)
        expect(served.status).toBe(200)
        expect(served.headers.get('content-type')).toBe('image/png')
        expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
        expect(served.headers.get('x-content-type-options')).toBe('nosniff')
        expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true)
        const etag = served.headers.get('etag')!
        const again = await api.app.request(imageUrl, { headers: { 'if-none-match': etag } })
        expect(again.status).toBe(304)

        const listed = (await memberRewards(await memberToken())).find((r) => r.id === id)
        expect(listed?.imageUrl).toBe(imageUrl)

        // A new picture is a new address; the old one names nothing any more.
        const jpeg = await upload(id, picture('jpeg', '#2e86de'), manager, 'image/jpeg')
        const next = ((await jpeg.json()) as { imageUrl: string }).imageUrl
        expect(next).not.toBe(imageUrl)
        expect((await api.app.request(next)).headers.get('content-type')).toBe('image/jpeg')
        expect((await api.app.request(imageUrl)).status).toBe(404)
        const removed = await api.call('DELETE', `/api/v1/rewards/${id}/image`, undefined, {
          key: manager,
        })
        expect(removed.body.imageUrl).toBeNull()
        expect((await api.app.request(next)).status).toBe(404)
      })

      it('a picture over 1 MB is refused with 413 and the reward keeps the one it had', async () => {
        const { id } = await reward()
        const first = await upload(id, picture('webp'), api.adminKey, 'image/webp')
        expect(first.status).toBe(200)
        const kept = ((await first.json()) as { imageUrl: string }).imageUrl
        // A PNG signature in front, so that only the size can refuse it.
        const large = Buffer.concat([picture('png'), Buffer.alloc(REWARD_IMAGE_MAX_BYTES)])
        const res = await upload(id, large, api.adminKey)
        expect(res.status).toBe(413)
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          'payload_too_large',
        )
        expect((await api.call('GET', `/api/v1/rewards/${id}`)).body.imageUrl).toBe(kept)
      })

      it('a file that is not a PNG, JPEG or WebP is refused with 415, whatever its Content-Type claims', async () => {
        const { id } = await reward()
        const svg = Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        )
        const gif = Buffer.from(
          'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==',
          'base64',
        )
        for (const bytes of [svg, gif, Buffer.from('not a picture'), Buffer.alloc(0)]) {
          const res = await upload(id, bytes, api.adminKey, 'image/png')
          expect(res.status).toBe(415)
          const body = (await res.json()) as { error: { code: string; message: string } }
          expect(body.error.code).toBe('image_unsupported')
          expect(body.error.message).toContain('PNG, JPEG or WebP')
        }
        expect((await api.call('GET', `/api/v1/rewards/${id}`)).body.imageUrl).toBeNull()
      })

      it('a member session, a clerk and a till key may not set a picture or edit the catalogue', async () => {
        const { id } = await reward()
        const member = await memberToken()
        const clerk = await staffToken('staff')
        expect((await upload(id, picture('png'), member)).status).toBe(401)
        expect((await upload(id, picture('png'), clerk)).status).toBe(403)
        expect((await upload(id, picture('png'), api.posKey)).status).toBe(403)
        const patch = { pointsCost: 1 }
        expect(
          (await api.call('PATCH', `/api/v1/rewards/${id}`, patch, { key: clerk })).status,
        ).toBe(403)
        expect((await api.call('POST', '/api/v1/rewards', patch, { key: member })).status).toBe(401)
        // A clerk still reads the catalogue and its preview, as the counter needs.
        expect(
          (await api.call('GET', `/api/v1/rewards/${id}/preview`, undefined, { key: clerk }))
            .status,
        ).toBe(200)
        expect((await api.call('GET', `/api/v1/rewards/${id}`)).body.pointsCost).toBe(100)
      })

      it('a paused reward leaves the member page until resumed; a retired one can never be offered or changed again', async () => {
        const manager = await staffToken('manager')
        const member = await memberToken()
        const { id } = await reward({ name: { 'zh-CN': '暂停测试', en: 'Pause test' } })
        const paused = await api.call(
          'PATCH',
          `/api/v1/rewards/${id}`,
          { active: false },
          { key: manager },
        )
        expect(paused.body.status).toBe('paused')
        expect((await memberRewards(member)).map((r) => r.id)).not.toContain(id)
        const resumed = await api.call(
          'PATCH',
          `/api/v1/rewards/${id}`,
          { active: true },
          { key: manager },
        )
        expect(resumed.body.status).toBe('active')
        expect((await memberRewards(member)).map((r) => r.id)).toContain(id)

        const retired = await api.call('DELETE', `/api/v1/rewards/${id}`, undefined, {
          key: manager,
        })
        expect(retired.body).toMatchObject({ status: 'retired', active: false })
        expect(retired.body.retiredAt).toBe(api.clock.now().toISOString())
        for (const change of [{ active: true }, { pointsCost: 5 }]) {
          const res = await api.call('PATCH', `/api/v1/rewards/${id}`, change, { key: manager })
          expect(res.status).toBe(409)
          expect(res.body.error.code).toBe('reward_retired')
        }
        expect((await upload(id, picture('png'), manager)).status).toBe(409)
        expect((await memberRewards(member)).map((r) => r.id)).not.toContain(id)
        // Retiring again changes nothing.
        const twice = await api.call('DELETE', `/api/v1/rewards/${id}`, undefined, { key: manager })
        expect(twice.body.retiredAt).toBe(retired.body.retiredAt)
      })

      it('a reward is offered only between its dates, and redeeming it outside them is refused', async () => {
        const now = api.clock.now().getTime()
        const day = 86_400_000
        const later = await reward({
          startsAt: new Date(now + day).toISOString(),
          endsAt: new Date(now + 3 * day).toISOString(),
        })
        const member = await api.domain.members.register({
          displayName: 'Dates',
          telegramId: '5150',
        })
        await api.domain.adjust(member.id, { points: 500, reason: 'goodwill' }, 'test')
        // What the member page and chat list, asked directly: a session would not last the days.
        const offered = async () =>
          (await api.domain.rewards.offersFor(member.id)).map((offer) => offer.id)
        expect(await offered()).not.toContain(later.id)
        await expect(api.domain.rewards.redeem(member.id, later.id)).rejects.toMatchObject({
          code: 'reward_inactive',
          details: { startsAt: new Date(now + day).toISOString() },
        })
        api.clock.set(new Date(now + 2 * day).toISOString())
        expect(await offered()).toContain(later.id)
        api.clock.set(new Date(now + 3 * day).toISOString())
        expect(await offered()).not.toContain(later.id)
        await expect(api.domain.rewards.redeem(member.id, later.id)).rejects.toMatchObject({
          code: 'reward_inactive',
          details: { endsAt: new Date(now + 3 * day).toISOString() },
        })
        api.clock.set(new Date(now).toISOString())

        const backwards = await api.call('POST', '/api/v1/rewards', {
          name: 'x',
          kind: 'gift',
          pointsCost: 1,
          startsAt: '2025-02-01T00:00:00Z',
          endsAt: '2025-01-01T00:00:00Z',
        })
        expect(backwards.status).toBe(400)
        expect(backwards.body.error.details.field).toBe('endsAt')
      })

      it('the preview shows the reward as each language’s members see it, the other language standing in for one left out', async () => {
        const { id } = await reward({
          name: { 'zh-CN': '周末蛋糕', en: 'Weekend cake' },
          description: { 'zh-CN': '每周六日供应', en: '' },
          stock: 0,
        })
        const res = await api.call('GET', `/api/v1/rewards/${id}/preview`)
        expect(res.status).toBe(200)
        expect(res.body['zh-CN']).toMatchObject({ name: '周末蛋糕', description: '每周六日供应' })
        expect(res.body.en).toMatchObject({ name: 'Weekend cake', description: '每周六日供应' })
        expect(res.body.en.blockedBy).toBe('out_of_stock')
      })
    },
  )
}
