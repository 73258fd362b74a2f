import pino from 'pino'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.ts'
import type { OfficialAccountMessage } from '../../src/api/routes/wechat-official.ts'
import { createDomain } from '../../src/domain/index.ts'
import {
  WechatCryptoError,
  WechatMessageCrypto,
  wechatSignature,
} from '../../src/shared/wechat-crypto.ts'
import { describeOnDatabases } from '../helpers/domain.ts'
import {
  OFFICIAL_ACCOUNT,
  officialPost,
  parseXml,
  textMessage,
  wechatXml,
} from '../helpers/wechat-official.ts'

describe('the message encryption of safe mode', () => {
  // WeChat's own sample (WXBizMsgCrypt, Sample.py and its ports): token, key, AppID, the query
  // of the request and its Encrypt field, with the message they hold.
  const sample = {
    token: 'spamtest',
    aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    appId: 'wx2c2769f8efd9abc2',
    timestamp: '1409735669',
    nonce: '1320562132',
    msgSignature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
    encrypt:
      'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
  }

  it('checks the msg_signature of WeChat’s sample and decrypts its message', () => {
    expect(wechatSignature(sample.token, sample.timestamp, sample.nonce, sample.encrypt)).toBe(
      sample.msgSignature,
    )
    const xml = new WechatMessageCrypto(sample.aesKey, sample.appId).decrypt(sample.encrypt)
    expect(parseXml(xml)).toEqual({
      ToUserName: 'gh_10f6c3c3ac5a',
      FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
      CreateTime: '1409735668',
      MsgType: 'text',
      Content: 'abcdteT',
      MsgId: '6054768590064713728',
    })
  })

  it('refuses the sample for another AppID', () => {
    expect(() =>
      new WechatMessageCrypto(sample.aesKey, OFFICIAL_ACCOUNT.appId).decrypt(sample.encrypt),
    ).toThrow(WechatCryptoError)
  })

  it('encrypts a reply that decrypts to itself, padded to 32-byte blocks', () => {
    const crypto = new WechatMessageCrypto(sample.aesKey, sample.appId)
    const random = Buffer.from('aaaabbbbccccdddd')
    const encrypted = crypto.encrypt('<xml>我是中文abcd123</xml>', random)
    // 16 random + 4 length + 28 bytes of XML + 18 of AppID = 66, padded to 96.
    expect(Buffer.from(encrypted, 'base64')).toHaveLength(96)
    expect(crypto.encrypt('<xml>我是中文abcd123</xml>', random)).toBe(encrypted)
    expect(crypto.decrypt(encrypted)).toBe('<xml>我是中文abcd123</xml>')
  })
})

describeOnDatabases('the Official Account endpoint', (get) => {
  let app: ReturnType<typeof createApp>
  let safeApp: ReturnType<typeof createApp>
  const received: OfficialAccountMessage[] = []
  const logged: string[] = []
  let answer: string | undefined
  const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) })

  beforeAll(() => {
    const domain = createDomain({ store: get().store, clock: get().clock })
    const endpoint = {
      token: OFFICIAL_ACCOUNT.token,
      appId: OFFICIAL_ACCOUNT.appId,
      handle: async (message: OfficialAccountMessage) => {
        received.push(message)
        return answer
      },
    }
    app = createApp({ domain, logger, wechatOfficial: endpoint })
    safeApp = createApp({
      domain,
      logger,
      wechatOfficial: { ...endpoint, aesKey: OFFICIAL_ACCOUNT.aesKey },
    })
  })
  beforeEach(() => {
    received.length = 0
    logged.length = 0
    answer = undefined
  })

  const post = (target: ReturnType<typeof createApp>, request: { path: string; body: string }) =>
    target.request(request.path, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    })

  it('answers the address check with echostr only when signed with the server token', async () => {
    const signature = wechatSignature(OFFICIAL_ACCOUNT.token, '1736481600', '42')
    const ok = await app.request(
      `/wechat/official?signature=${signature}&timestamp=1736481600&nonce=42&echostr=8131972337465217`,
    )
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('8131972337465217')
    const forged = await app.request(
      `/wechat/official?signature=${wechatSignature('guess', '1736481600', '42')}&timestamp=1736481600&nonce=42&echostr=1`,
    )
    expect(forged.status).toBe(401)
    expect(await forged.json()).toMatchObject({ error: { code: 'unauthorized' } })
  })

  it('hands a plain-mode message to the handler and sends its answer back as a passive reply', async () => {
    answer = '你的积分：120'
    const response = await post(
      app,
      officialPost(textMessage('o_member_1', '积分', '6054768590064713728')),
    )
    expect(response.status).toBe(200)
    expect(received).toEqual([
      {
        ToUserName: OFFICIAL_ACCOUNT.originalId,
        FromUserName: 'o_member_1',
        CreateTime: '1736481600',
        MsgType: 'text',
        Content: '积分',
        MsgId: '6054768590064713728',
      },
    ])
    expect(parseXml(await response.text())).toEqual({
      ToUserName: 'o_member_1',
      FromUserName: OFFICIAL_ACCOUNT.originalId,
      CreateTime: String(Math.floor(get().clock.now().getTime() / 1000)),
      MsgType: 'text',
      Content: '你的积分：120',
    })
  })

  it('answers success when the handler has no passive reply', async () => {
    const response = await post(app, officialPost(textMessage('o_member_1', 'hi', '1')))
    expect(await response.text()).toBe('success')
    expect(received).toHaveLength(1)
  })

  it('refuses and logs a message with a forged signature, and nothing of it reaches the handler', async () => {
    for (const request of [
      officialPost(textMessage('o_member_1', '积分', '2'), { token: 'not-the-token' }),
      { path: '/wechat/official?timestamp=1&nonce=2', body: wechatXml(textMessage('o', 'x', '3')) },
    ]) {
      const response = await post(app, request)
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } })
    }
    expect(received).toEqual([])
    expect(logged.filter((line) => line.includes('wechat official: refused'))).toHaveLength(2)
  })

  it('refuses a correctly signed POST whose timestamp is more than five minutes from now, as a replay', async () => {
    const now = Math.floor(get().clock.now().getTime() / 1000)
    for (const timestamp of [now - 301, now + 301]) {
      const response = await post(
        app,
        officialPost(textMessage('o_member_1', '积分', `replay-${timestamp}`), {
          timestamp: String(timestamp),
        }),
      )
      expect(response.status).toBe(401)
    }
    expect(received).toEqual([])
    expect(logged.filter((line) => line.includes('more than 300 s from now'))).toHaveLength(2)
    const fresh = await post(
      app,
      officialPost(textMessage('o_member_1', '积分', 'fresh'), { timestamp: String(now - 299) }),
    )
    expect(fresh.status).toBe(200)
    expect(received).toHaveLength(1)
  })

  it('decrypts a safe-mode message, checks it, and encrypts the passive reply', async () => {
    answer = 'Your points: 120'
    const response = await post(
      safeApp,
      officialPost(textMessage('o_member_2', 'points', '77'), { safe: true }),
    )
    expect(response.status).toBe(200)
    expect(received).toMatchObject([{ FromUserName: 'o_member_2', Content: 'points', MsgId: '77' }])
    const envelope = parseXml(await response.text())
    expect(envelope.MsgSignature).toBe(
      wechatSignature(
        OFFICIAL_ACCOUNT.token,
        envelope.TimeStamp!,
        envelope.Nonce!,
        envelope.Encrypt!,
      ),
    )
    const reply = new WechatMessageCrypto(OFFICIAL_ACCOUNT.aesKey, OFFICIAL_ACCOUNT.appId).decrypt(
      envelope.Encrypt!,
    )
    expect(parseXml(reply)).toMatchObject({
      ToUserName: 'o_member_2',
      MsgType: 'text',
      Content: 'Your points: 120',
    })
  })

  it('in safe mode refuses a plain message, a wrong msg_signature and a message for another AppID', async () => {
    const message = textMessage('o_member_2', 'points', '78')
    const tampered = officialPost(message, { safe: true })
    for (const request of [
      officialPost(message),
      {
        ...tampered,
        path: tampered.path.replace(/msg_signature=\w+/, `msg_signature=${'0'.repeat(40)}`),
      },
      officialPost(message, { safe: true, appId: 'wxffffffffffffffff' }),
    ]) {
      const response = await post(safeApp, request)
      expect(response.status).toBe(401)
    }
    expect(received).toEqual([])
    expect(logged.filter((line) => line.includes('wechat official: refused'))).toHaveLength(3)
  })

  it('refuses a body over 8 KB before reading it', async () => {
    const request = officialPost(textMessage('o_member_1', 'x'.repeat(9 * 1024), '4'))
    const response = await post(app, request)
    expect(response.status).toBe(413)
    expect(received).toEqual([])
  })
})
