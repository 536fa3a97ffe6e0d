import { join } from 'node:path'

import t from 'tap'

import { runGit } from '../helpers/git.js'
import { functionForm, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

const git = (cwd: string, args: string[]) => runGit(args, { cwd })

t.test('git clone with a token as the Basic password, under the same project rules as the API', async (t) => {
  const dir = t.testdir()
  const server = await startServer({ dataDir: join(dir, 'data'), tokens: true })
  t.teardown(server.close)
  const { engine } = server
  const host = server.url.replace('http://', '')
  const owner = engine.tokens.createToken({ projectId: 'alpha' }).token
  const otherMember = engine.tokens.createToken({ projectId: 'beta' }).token
  const otherAdmin = engine.tokens.createToken({ projectId: 'beta', role: 'admin' }).token
  const revoked = engine.tokens.createToken({ projectId: 'alpha' })
  engine.tokens.revokeToken(revoked.id)

  const created = await fetch(`http://${host}/v1/functions`, {
    method: 'POST',
    headers: { 'x-auth-token': owner },
    body: functionForm(makeZip([{ name: 'main.py', content: 'def main():\n  return 1\n' }])),
  })
  const fn = (await created.json()) as { id: string }
  const version = await fetch(`http://${host}/v1/functions/${fn.id}/versions`, {
    method: 'POST',
    headers: { 'x-auth-token': owner },
  })
  t.equal(version.status, 201)
  const url = (token?: string) => `http://${token === undefined ? '' : `x:${token}@`}${host}/git/${fn.id}.git`

  const mine = await git(dir, ['clone', '-q', url(owner), 'by-owner'])
  t.equal(mine.code, 0, mine.stderr)
  t.equal(
    (await git(join(dir, 'by-owner'), ['rev-parse', '--verify', '-q', 'refs/tags/v1'])).code,
    0,
    'with its version tag',
  )

  const admin = await git(dir, ['clone', '-q', url(otherAdmin), 'by-admin'])
  t.equal(admin.code, 0, `an admin of another project may read it: ${admin.stderr}`)

  const anonymous = await git(dir, ['clone', '-q', url(), 'anonymous'])
  t.not(anonymous.code, 0)
  t.match(anonymous.stderr, /could not read Username|Authentication failed/, 'git was asked for credentials')
  const challenge = await fetch(`${url()}/info/refs?service=git-upload-pack`)
  t.equal(challenge.status, 401)
  t.match(challenge.headers.get('www-authenticate'), /^Basic /)

  for (const [who, token] of [
    ['a revoked token', revoked.token],
    ['a made-up token', 'tgs_' + 'A'.repeat(43)],
  ] as const) {
    const refused = await git(dir, ['clone', '-q', url(token), `refused-${who.length}`])
    t.not(refused.code, 0, who)
    t.match(refused.stderr, /Authentication failed/, who)
    t.notOk(refused.stderr.includes(token.slice(4)), 'git does not echo the token back')
  }

  const hidden = await git(dir, ['clone', '-q', url(otherMember), 'by-other-member'])
  t.not(hidden.code, 0)
  t.match(hidden.stderr, /not found|404/, "another project's member does not see it")

  // The README's way to keep the token out of the URL and of .git/config.
  const helper = `!f() { test "$1" = get && echo username=x && echo "password=${owner}"; }; f`
  const viaHelper = await git(dir, ['-c', `credential.helper=${helper}`, 'clone', '-q', url(), 'via-helper'])
  t.equal(viaHelper.code, 0, viaHelper.stderr)
})
