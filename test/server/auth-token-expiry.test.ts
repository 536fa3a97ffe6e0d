import { join } from 'node:path'

import t from 'tap'

import { runGit } from '../helpers/git.js'
import { functionForm, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

const basic = (token: string) => `Basic ${Buffer.from(`x:${token}`).toString('base64')}`

t.test('an expired token is 401 TOKEN_EXPIRED on REST and git alike, proven before or not', async (t) => {
  const dir = t.testdir()
  // The server's clock, moved forward by the test: no waiting, no race with a real expiry.
  let ahead = 0
  const server = await startServer({
    dataDir: join(dir, 'data'),
    now: () => new Date(Date.now() + ahead),
    tokens: true,
  })
  t.teardown(server.close)
  const { engine } = server
  const base = server.url
  const forever = engine.tokens.createToken({ projectId: 'alpha' })
  const used = engine.tokens.createToken({ projectId: 'alpha', expiresInMs: 60_000 })
  const unused = engine.tokens.createToken({ projectId: 'alpha', expiresInMs: 60_000 })

  const created = await fetch(`${base}/v1/functions`, {
    method: 'POST',
    headers: { 'x-auth-token': forever.token },
    body: functionForm(makeZip([{ name: 'main.py', content: 'def main():\n  return 1\n' }])),
  })
  t.equal(created.status, 201)
  const fn = (await created.json()) as { id: string }
  const rest = (token: string) => fetch(`${base}/v1/functions`, { headers: { 'x-auth-token': token } })
  const infoRefs = (token: string) =>
    fetch(`${base}/git/${fn.id}.git/info/refs?service=git-upload-pack`, { headers: { authorization: basic(token) } })
  const cloneUrl = (token: string) => `${base.replace('//', `//x:${token}@`)}/git/${fn.id}.git`

  t.equal((await rest(used.token)).status, 200, 'an unexpired token works on REST')
  t.equal((await infoRefs(used.token)).status, 200, 'and on git')
  const cloned = await runGit(['clone', '-q', cloneUrl(used.token), 'before'], { cwd: dir })
  t.equal(cloned.code, 0, `a clone before it expires: ${cloned.stderr}`)

  ahead = 61_000
  for (const [who, token] of [
    ['proven before (kept by the cache)', used],
    ['never used', unused],
  ] as const) {
    const faultstring = `The token expired at ${token.expires_at} UTC; ask for a new one.`
    const refused = await rest(token.token)
    t.equal(refused.status, 401, `${who}: REST`)
    t.same(await refused.json(), { faultstring, error: 'TOKEN_EXPIRED' }, `${who}: says when it expired`)
    const gitRefused = await infoRefs(token.token)
    t.equal(gitRefused.status, 401, `${who}: git info/refs`)
    t.match(gitRefused.headers.get('www-authenticate'), /^Basic /, `${who}: git is asked for credentials`)
    t.equal(await gitRefused.text(), `${faultstring}\n`, `${who}: the same faultstring, as text`)
    const clone = await runGit(['clone', '-q', cloneUrl(token.token), `after-${who.length}`], { cwd: dir })
    t.not(clone.code, 0, `${who}: git clone fails`)
    t.match(clone.stderr, /Authentication failed/, `${who}: as git says of a refused password`)
    t.notOk(clone.stderr.includes(token.token.slice(4)), 'git does not echo the token back')
  }
  t.equal((await rest(forever.token)).status, 200, 'a token without an expiry still works')
  t.equal((await infoRefs(forever.token)).status, 200)
})
