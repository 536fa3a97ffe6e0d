import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'

import type { FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'

import { openEngine } from '../../engine/engine.js'
import { buildApp } from '../../server/app.js'
import { readServeConfig } from '../../server/config.js'
import { serverLoggerOptions } from '../../server/main.js'
import { tokenAuthenticate } from '../../server/token-auth.js'
import { functionForm } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

/** A log destination that keeps every line. */
function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { stream, text: () => lines.join('') }
}

async function serveWithLog(t: Test, extra: Record<string, unknown>) {
  const engine = await openEngine({ dataDir: t.testdir() })
  const log = capture()
  const app = await buildApp({
    engine,
    authenticate: tokenAuthenticate(engine.tokens),
    logger: { ...(serverLoggerOptions('trace') as object), ...extra, stream: log.stream },
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => {
    await app.close()
    engine.close()
  })
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, engine, log }
}

/** Authenticated, refused and revoked calls, each carrying a token one way or another. */
async function traffic(url: string, secrets: { good: string; revoked: string }) {
  const zip = makeZip([{ name: 'main.py', content: 'def main():\n  return 1\n' }])
  const statuses = [
    (
      await fetch(`${url}/v1/functions`, {
        method: 'POST',
        headers: { 'x-auth-token': secrets.good },
        body: functionForm(zip),
      })
    ).status,
    (await fetch(`${url}/v1/functions`, { headers: { 'x-auth-token': secrets.good } })).status,
    (await fetch(`${url}/v1/functions/not-a-uuid`, { headers: { 'x-auth-token': secrets.good } })).status,
    (await fetch(`${url}/v1/functions`, { headers: { 'x-auth-token': secrets.revoked } })).status,
    (
      await fetch(`${url}/v1/functions`, {
        headers: { authorization: `Basic ${Buffer.from(`x:${secrets.good}`).toString('base64')}` },
      })
    ).status,
  ]
  return statuses
}

t.test("the server's log never holds a token", async (t) => {
  const { url, engine, log } = await serveWithLog(t, {})
  const good = engine.tokens.createToken({ projectId: 'p1' }).token
  const revokedToken = engine.tokens.createToken({ projectId: 'p1' })
  engine.tokens.revokeToken(revokedToken.id)
  t.same(await traffic(url, { good, revoked: revokedToken.token }), [201, 200, 400, 401, 401])
  const text = log.text()
  t.match(text, /request completed/, 'requests were logged')
  t.match(text, /Authentication required/, 'refusals were logged')
  for (const secret of [good, revokedToken.token]) {
    t.equal(text.indexOf(secret), -1, 'no token')
    t.equal(text.indexOf(secret.slice(4)), -1, 'not even without its prefix')
    t.equal(text.indexOf(Buffer.from(`x:${secret}`).toString('base64')), -1, 'nor in a Basic header')
  }
})

t.test('even a logger that writes request headers gets the token headers redacted', async (t) => {
  // Fastify's default request serializer leaves headers out; this one puts them in, to prove the redaction paths.
  const serializers = {
    req: (request: FastifyRequest) => ({ method: request.method, url: request.url, headers: request.headers }),
  }
  const { url, engine, log } = await serveWithLog(t, { serializers })
  const good = engine.tokens.createToken({ projectId: 'p1' }).token
  const revoked = engine.tokens.createToken({ projectId: 'p1' })
  engine.tokens.revokeToken(revoked.id)
  await traffic(url, { good, revoked: revoked.token })
  const text = log.text()
  t.match(text, /"headers":\{/, 'headers were logged')
  t.match(text, /"x-auth-token":"\[Redacted\]"/)
  t.match(text, /"authorization":"\[Redacted\]"/)
  for (const secret of [good, revoked.token]) {
    t.equal(text.indexOf(secret.slice(4)), -1, 'no token')
    t.equal(text.indexOf(Buffer.from(`x:${secret}`).toString('base64')), -1, 'nor a Basic header')
  }
})

t.test(
  'one line per request: method, route template, status, duration and the request id it answers with',
  async (t) => {
    const { url, engine, log } = await serveWithLog(t, { level: 'info' })
    const token = engine.tokens.createToken({ projectId: 'p1' }).token
    const headers = { 'x-auth-token': token }
    const sent = await fetch(`${url}/v1/functions/4a9c2d8e-1111-4222-8333-944455556666`, {
      headers: { ...headers, 'x-request-id': 'lb-7f3a.42' },
    })
    t.equal(sent.status, 404)
    t.equal(sent.headers.get('x-request-id'), 'lb-7f3a.42', "the caller's id comes back")
    const forged = await fetch(`${url}/v1/functions`, { headers: { ...headers, 'x-request-id': 'a b {"x":1}' } })
    const made = forged.headers.get('x-request-id') ?? ''
    t.match(made, /^[0-9a-f-]{36}$/, 'an id with odd characters is replaced by a new one')
    const long = await fetch(`${url}/v1/functions`, { headers: { ...headers, 'x-request-id': 'x'.repeat(129) } })
    t.not(long.headers.get('x-request-id'), 'x'.repeat(129), 'so is an over-long one')

    const lines = log
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request completed')
    t.equal(lines.length, 3, 'one line per request')
    t.match(lines[0], {
      reqId: 'lb-7f3a.42',
      req: { method: 'GET' },
      route: '/v1/functions/:id',
      status: 404,
      duration_ms: Number,
    })
    t.match(lines[1], { reqId: made, route: '/v1/functions', status: 200 })
    t.equal(log.text().indexOf(token), -1, 'the token is not in the log')
    t.equal(log.text().indexOf('"x":1'), -1, 'nor the forged id')
  },
)

t.test('--log-level and its twin choose the level; anything else is refused', async (t) => {
  t.equal(readServeConfig([], {}).logLevel, 'info')
  t.equal(readServeConfig(['--log-level', 'warn'], { TAGSTONE_LOG_LEVEL: 'debug' }).logLevel, 'warn')
  t.equal(readServeConfig([], { TAGSTONE_LOG_LEVEL: 'debug' }).logLevel, 'debug')
  t.throws(() => readServeConfig(['--log-level', 'loud'], {}), {
    code: 'INVALID_CONFIG',
    message: "--log-level must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
  })
})
