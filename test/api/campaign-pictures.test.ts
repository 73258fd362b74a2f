import { createCanvas } from '@napi-rs/canvas'
import pino from 'pino'
import { Telegraf } from 'telegraf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TelegramSender } from '../../src/bots/telegram/sender.ts'
import { REWARD_IMAGE_MAX_BYTES, REWARD_IMAGE_MAX_SIDE } from '../../src/domain/rewards/images.ts'
import { startOutboxWorker } from '../../src/jobs/outbox-worker.ts'
import { type ApiFixture, createApiFixture } from '../helpers/api.ts'
import { available, databases } from '../helpers/db.ts'
import { programmeWith } from '../helpers/domain.ts'
import { FakeBotApi } from '../helpers/fake-telegram.ts'
import { picture } from '../helpers/png.ts'

const TOKEN = '123456:TEST-token-for-the-fake-bot-api'

for (const db of databases) {
  describe.skipIf(!available(db))(
    `campaign pictures and buttons [${db.name}${available(db) ? '' : ': skipped, TEST_DATABASE_URL not set'}]`,
    () => {
      let api: ApiFixture
      let botApi: FakeBotApi
      beforeAll(async () => {
        api = await createApiFixture(db)
        botApi = await new FakeBotApi().start()
        // Sending is at whatever hour the test runs: no quiet hours to wait through.
        await api.domain.programme.replace(programmeWith({ quietHours: null }))
      })
      afterAll(async () => {
        await botApi?.close()
        await api?.store.cleanup()
      })

      let nextChat = 830_000
      const upload = (bytes: Uint8Array, key: string | null = api.adminKey, type = 'image/png') =>
        api.app.request('/api/v1/campaigns/images', {
          method: 'POST',
          headers: { 'content-type': type, ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: new Uint8Array(bytes),
        })
      const errorOf = async (res: Response) =>
        `${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`
      /** A member in a region of their own, so that a campaign to it reaches only them. */
      async function member(locale: string, region: string) {
        const chat = String(++nextChat)
        const res = await api.call('POST', '/api/v1/members', {
          displayName: `M${chat}`,
          telegramId: chat,
          marketingConsent: true,
          region,
          locale,
        })
        expect(res.status).toBe(201)
        return { id: res.body.id as string, chat }
      }
      /** The outbox payload each member of the campaign got, by member id. */
      async function payloads(campaignId: string) {
        const rows = await api.store.db
          .selectFrom('outbox')
          .select(['memberId', 'payloadJson'])
          .where('campaignId', '=', campaignId)
          .execute()
        return new Map(rows.map((r) => [r.memberId, JSON.parse(r.payloadJson) as unknown]))
      }
      async function sendAll(until: () => boolean) {
        const worker = startOutboxWorker({
          domain: api.domain,
          logger: pino({ level: 'silent' }),
          senders: {
            telegram: new TelegramSender(
              new Telegraf(TOKEN, { telegram: { apiRoot: botApi.url } }).telegram,
              { perSecond: 1_000, perChatMs: 0 },
              'https://jifen.example',
            ),
          },
          idleMs: 10,
        })
        try {
          await expect.poll(until, { timeout: 10_000 }).toBe(true)
        } finally {
          await worker.stop()
        }
      }

      it('a manager uploads a picture: it is stored by its SHA-256 and served at its address; the same bytes again are the same picture', async () => {
        const png = picture('png', '#16a085', 80)
        const res = await upload(png)
        expect(res.status).toBe(201)
        const stored = (await res.json()) as { sha256: string; url: string }
        expect(stored).toMatchObject({
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          contentType: 'image/png',
          width: 80,
          height: 80,
          size: png.byteLength,
        })
        expect(stored.url).toBe(`/media/campaigns/${stored.sha256}`)
        const served = await api.app.request(stored.url)
        expect(served.status).toBe(200)
        expect(served.headers.get('content-type')).toBe('image/png')
        expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true)
        const again = (await (await upload(png)).json()) as { sha256: string }
        expect(again.sha256).toBe(stored.sha256)
        expect((await api.app.request(`/media/campaigns/${'0'.repeat(64)}`)).status).toBe(404)
      })

      it('refuses what is not a PNG, JPEG or WebP with 415 image_unsupported, one over 1 MB with 413 and one over 4096 pixels a side with 400, storing nothing', async () => {
        const stored = async () =>
          Number(
            (
              await api.store.db
                .selectFrom('campaignImages')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          )
        const before = await stored()
        const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
        for (const bytes of [svg, Buffer.from('not a picture'), Buffer.alloc(0)])
          expect(await errorOf(await upload(bytes))).toBe('415 image_unsupported')
        // A PNG signature in front, so that only the size can refuse it.
        const large = Buffer.concat([picture('png'), Buffer.alloc(REWARD_IMAGE_MAX_BYTES)])
        expect(await errorOf(await upload(large))).toBe('413 payload_too_large')
        const wide = createCanvas(REWARD_IMAGE_MAX_SIDE + 1, 1).toBuffer('image/png')
        const res = await upload(wide)
        expect(res.status).toBe(400)
        expect(await res.json()).toMatchObject({
          error: { code: 'invalid_input', details: { field: 'image' } },
        })
        expect(await stored()).toBe(before)
      })

      it('a clerk and a till key may not upload a picture', async () => {
        const { code } = await api.domain.staff.createInvite('staff')
        const clerk = await api.domain.staff.acceptInvite(code, 'telegram', '839999', 'Chen')
        const link = await api.domain.staffSessions.createLink(clerk.id)
        const { token } = await api.domain.staffSessions.openFromLink(link.code)
        expect((await upload(picture('png'), token)).status).toBe(403)
        expect((await upload(picture('png'), api.posKey)).status).toBe(403)
        expect((await upload(picture('png'), null)).status).toBe(401)
      })

      it('refuses a message naming a picture never uploaded, or two pictures, a link that is not https or a caption longer than Telegram takes, naming the field', async () => {
        const sha256 = 'a'.repeat(64)
        const create = (message: Record<string, unknown>) =>
          api.call('POST', '/api/v1/campaigns', { name: 'x', message: { text: 'hi', ...message } })
        const refused = async (message: Record<string, unknown>) => {
          const res = await create(message)
          return `${res.status} ${res.body.error.code} ${res.body.error.details.field}`
        }
        expect(await refused({ imageSha256: sha256 })).toBe('400 invalid_input message.imageSha256')
        expect(await refused({ imageSha256: 'not-a-hash' })).toBe(
          '400 invalid_input message.imageSha256',
        )
        const { sha256: stored } = (await (await upload(picture('webp'))).json()) as {
          sha256: string
        }
        expect(await refused({ imageSha256: stored, imageUrl: 'https://cdn.example/a.png' })).toBe(
          '400 invalid_input message.imageSha256',
        )
        for (const url of ['http://shop.example/', 'javascript:alert(1)', 'https://localhost/'])
          expect(await refused({ buttons: [{ label: '看看', url }] })).toBe(
            '400 invalid_input message.buttons.0.url',
          )
        expect(
          await refused({
            buttons: [
              { label: 'a', url: 'https://shop.example/a' },
              { label: { 'zh-CN': '', en: '' }, url: 'https://shop.example/b' },
            ],
          }),
        ).toBe('400 invalid_input message.buttons.1.label')
        expect(await refused({ miniappButton: 'x'.repeat(65) })).toBe(
          '400 invalid_input message.miniappButton',
        )
        // With a picture the text is Telegram's caption, which holds 1,024 characters.
        const long = { 'zh-CN': '好'.repeat(1_025), en: 'fine' }
        expect(await refused({ imageSha256: stored, text: long })).toBe(
          '400 invalid_input message.text.zh-CN',
        )
        expect((await create({ text: long })).status).toBe(201)
        // A text refused for itself beside a picture is refused as such, not a 500.
        expect(await refused({ imageSha256: stored, text: ' ' })).toMatch(
          /^400 invalid_input message\.text/,
        )
        expect((await create({ imageSha256: stored })).status).toBe(201)
      })

      it('each member gets the button labels of their language, the other where one is left out', async () => {
        const wen = await member('zh-CN', 'Labels')
        const emma = await member('en', 'Labels')
        const created = await api.call('POST', '/api/v1/campaigns', {
          name: 'Labels',
          message: {
            text: { 'zh-CN': '新品', en: 'New in' },
            buttons: [
              { label: { 'zh-CN': '去看看', en: 'Have a look' }, url: 'https://shop.example/new' },
              { label: { 'zh-CN': '只有中文' }, url: 'https://shop.example/zh' },
            ],
            miniappButton: { 'zh-CN': '我的积分', en: 'My points' },
          },
          segment: { regions: ['Labels'] },
        })
        expect(created.status).toBe(201)
        expect(created.body.message).toMatchObject({
          buttons: [
            { label: { 'zh-CN': '去看看', en: 'Have a look' } },
            { label: { 'zh-CN': '只有中文', en: '' } },
          ],
          miniappButton: { 'zh-CN': '我的积分', en: 'My points' },
        })
        await api.domain.campaigns.dispatchDue()
        const sent = await payloads(created.body.id)
        expect(sent.get(wen.id)).toMatchObject({
          text: '新品',
          buttons: [
            { label: '去看看', url: 'https://shop.example/new' },
            { label: '只有中文', url: 'https://shop.example/zh' },
          ],
          miniappButton: '我的积分',
        })
        expect(sent.get(emma.id)).toMatchObject({
          text: 'New in',
          buttons: [{ label: 'Have a look' }, { label: '只有中文' }],
          miniappButton: 'My points',
        })
      })

      it('a campaign stored with one-string labels and an http link still reads, the label in both languages', async () => {
        const wen = await member('zh-CN', 'Old')
        const emma = await member('en', 'Old')
        const now = api.clock.now().toISOString()
        await api.store.db
          .insertInto('campaigns')
          .values({
            id: 'cmp_old_labels',
            name: 'Old',
            messageJson: JSON.stringify({
              text: '老活动',
              buttons: [{ label: '看看', url: 'http://shop.example/old' }],
              miniappButton: '会员中心',
            }),
            segmentJson: JSON.stringify({ regions: ['Old'] }),
            status: 'scheduled',
            sendAt: now,
            cost: null,
            attributionDays: 7,
            holdoutSeed: null,
            targeted: 0,
            createdBy: null,
            createdAt: now,
            startedAt: null,
            completedAt: null,
          })
          .execute()
        const read = await api.call('GET', '/api/v1/campaigns/cmp_old_labels')
        expect(read.status).toBe(200)
        expect(read.body.message).toMatchObject({
          buttons: [{ label: { 'zh-CN': '看看', en: '看看' }, url: 'http://shop.example/old' }],
          miniappButton: { 'zh-CN': '会员中心', en: '会员中心' },
        })
        await api.domain.campaigns.dispatchDue()
        const sent = await payloads('cmp_old_labels')
        for (const who of [wen, emma])
          expect(sent.get(who.id)).toMatchObject({
            buttons: [{ label: '看看' }],
            miniappButton: '会员中心',
          })
      })

      it('Telegram gets an uploaded picture as its bytes in a multipart sendPhoto, with the caption and buttons of the member’s language', async () => {
        const wen = await member('zh-CN', 'Photo')
        const emma = await member('en', 'Photo')
        const jpeg = picture('jpeg', '#8e44ad', 120)
        const { sha256 } = (await (await upload(jpeg, api.adminKey, 'image/jpeg')).json()) as {
          sha256: string
        }
        const created = await api.call('POST', '/api/v1/campaigns', {
          name: 'Photo',
          message: {
            text: { 'zh-CN': '秋季新品', en: 'Autumn range' },
            imageSha256: sha256,
            buttons: [
              { label: { 'zh-CN': '去看看', en: 'Have a look' }, url: 'https://shop.example/' },
            ],
            miniappButton: { 'zh-CN': '我的积分', en: 'My points' },
          },
          segment: { regions: ['Photo'] },
        })
        expect(created.status).toBe(201)
        // The bytes are read when the message is sent, never copied into each member's row.
        await api.domain.campaigns.dispatchDue()
        for (const payload of (await payloads(created.body.id)).values())
          expect(payload).toMatchObject({ imageSha256: sha256 })
        const photos = () => botApi.calls.filter((c) => c.method === 'sendPhoto')
        const to = (chat: string) => photos().find((c) => String(c.payload.chat_id) === chat)
        await sendAll(() => Boolean(to(wen.chat) && to(emma.chat)))
        for (const [who, caption, labels] of [
          [wen, '秋季新品', ['去看看', '我的积分']],
          [emma, 'Autumn range', ['Have a look', 'My points']],
        ] as const) {
          const call = to(who.chat)!
          const photo = call.payload.photo as { content: Buffer; filename: string }
          expect(photo.content.equals(jpeg)).toBe(true)
          expect(photo.filename).toBe('picture.jpeg')
          expect(call.payload.caption).toBe(caption)
          const markup = JSON.parse(call.payload.reply_markup as string) as {
            inline_keyboard: { text: string; url?: string; web_app?: { url: string } }[][]
          }
          expect(markup.inline_keyboard.map((row) => row[0]!.text)).toEqual(labels)
          expect(markup.inline_keyboard[1]![0]!.web_app!.url).toBe(
            `https://jifen.example/miniapp/?c=${created.body.id}`,
          )
        }
      })

      it('the preview in the manager’s own chat shows the picture and every button, in their language', async () => {
        const { code: invite } = await api.domain.staff.createInvite('manager')
        const manager = await api.domain.staff.acceptInvite(invite, 'telegram', '838001', 'Mia')
        await api.domain.members.register({
          displayName: 'Mia',
          telegramId: '838001',
          locale: 'en',
        })
        const { code } = await api.domain.staffSessions.createLink(manager.id)
        const session = await api.call('POST', '/api/console/session', { code }, { key: null })
        const png = picture('png', '#d35400', 48)
        const { sha256 } = (await (await upload(png)).json()) as { sha256: string }
        const sent = await api.call(
          'POST',
          '/api/v1/campaigns/preview',
          {
            message: {
              text: { 'zh-CN': '周末双倍积分', en: 'Double points this weekend' },
              imageSha256: sha256,
              buttons: [{ label: { 'zh-CN': '商城', en: 'Shop' }, url: 'https://shop.example/' }],
              miniappButton: { 'zh-CN': '我的积分', en: 'My points' },
            },
          },
          { key: session.body.token as string },
        )
        expect(sent.body).toEqual({ queued: true })
        const preview = () =>
          botApi.calls.find((c) => c.method === 'sendPhoto' && c.payload.chat_id === '838001')
        await sendAll(() => Boolean(preview()))
        const call = preview()!
        expect((call.payload.photo as { content: Buffer }).content.equals(png)).toBe(true)
        expect(call.payload.caption).toBe('Double points this weekend')
        const markup = JSON.parse(call.payload.reply_markup as string) as {
          inline_keyboard: { text: string }[][]
        }
        expect(markup.inline_keyboard.map((row) => row[0]!.text)).toEqual(['Shop', 'My points'])
      })
    },
  )
}
