import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'

import type { FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'

import { openEngine } from '../../engine/engine.js'
import { buildApp } from '../../server/app.js'
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
  t.match(text, /incoming request/, 'requests were logged')
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
