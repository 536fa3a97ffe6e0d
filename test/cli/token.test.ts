import { existsSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { databasePath } from '../../engine/engine.js'
import { openDatabase } from '../../engine/store/open-database.js'
import { TokenStore } from '../../engine/tokens.js'
import { tokenAuthenticate } from '../../server/token-auth.js'
import { type RunningServer, startServer } from '../helpers/server.js'
import { runTagstone } from '../helpers/tagstone-process.js'

const TOKEN = /tgs_[A-Za-z0-9_-]{43}/

t.test(
  'token create prints the token alone on stdout and its id on stderr; list never prints one; revoke makes it fail with 401',
  async (t) => {
    const dataDir = t.testdir()
    const server: RunningServer = await startServer({
      dataDir,
      authenticate: (request) => tokenAuthenticate(server.engine.tokens)(request),
    })
    t.teardown(() => server.close())

    const made = await runTagstone(['admin', 'token', 'create', '--project', 'p1', '--data', dataDir])
    t.equal(made.code, 0, made.stderr)
    t.match(made.stdout, new RegExp(`^${TOKEN.source}\\n$`), 'one line: the token')
    const madeId =
      /^token id ([0-9a-f-]{36}), never expires \(revoke with: npx tagstone admin token revoke \1\)\n$/.exec(
        made.stderr,
      )
    t.ok(madeId, `the id, needed to revoke it, on stderr: ${made.stderr}`)
    const token = made.stdout.trim()
    const asToken = () => fetch(`${server.url}/v1/functions`, { headers: { 'x-auth-token': token } })
    t.equal((await asToken()).status, 200, 'the server knows it at once')

    const json = await runTagstone([
      'admin',
      'token',
      'create',
      '--project',
      'ops',
      '--role',
      'admin',
      '--label',
      'ci',
      '--json',
      '--data',
      dataDir,
    ])
    t.equal(json.code, 0, json.stderr)
    const adminToken = JSON.parse(json.stdout) as { id: string; project: string; role: string; token: string }
    t.match(adminToken, { project: 'ops', role: 'admin', token: TOKEN, id: /^[0-9a-f-]{36}$/ })
    t.equal(json.stderr, '', '--json carries the id itself')
    const all = await fetch(`${server.url}/v1/functions?all_projects=true`, {
      headers: { 'x-auth-token': adminToken.token },
    })
    t.equal(all.status, 200, 'an admin token is an admin')

    for (const args of [['list'], ['list', '--json']]) {
      const listed = await runTagstone(['admin', 'token', ...args, '--data', dataDir])
      t.equal(listed.code, 0, listed.stderr)
      t.notMatch(listed.stdout, TOKEN, `${args.join(' ')}: no secret`)
      t.notOk(listed.stdout.includes(token.slice(4)) || listed.stdout.includes(adminToken.token.slice(4)))
      t.match(listed.stdout, 'p1')
      t.match(listed.stdout, adminToken.id)
    }
    const listed = JSON.parse((await runTagstone(['admin', 'token', 'list', '--json', '--data', dataDir])).stdout) as {
      tokens: Array<Record<string, unknown>>
    }
    t.same(
      listed.tokens.map((x) => [x.project, x.role, x.label, x.revoked_at]),
      [
        ['p1', 'member', null, null],
        ['ops', 'admin', 'ci', null],
      ],
    )
    const id = listed.tokens[0]!.id as string

    const revoked = await runTagstone(['admin', 'token', 'revoke', id, '--json', '--data', dataDir])
    t.equal(revoked.code, 0, revoked.stderr)
    t.match(JSON.parse(revoked.stdout), { id, revoked_at: /^\d{4}-/ })
    const refused = await asToken()
    t.equal(refused.status, 401, 'a revoked token is refused')
    t.match(await refused.json(), { error: 'UNAUTHENTICATED' })
    t.equal(all.status, 200)
    t.equal(
      (await fetch(`${server.url}/v1/functions`, { headers: { 'x-auth-token': adminToken.token } })).status,
      200,
      'the other token still works',
    )
  },
)

t.test('the token commands say what is wrong', async (t) => {
  const dataDir = t.testdir()
  const cases: Array<[string[], number, RegExp]> = [
    [['create'], 2, /--project is required/],
    [['create', '--project', 'p', '--role', 'root'], 2, /--role must be member or admin/],
    [['create', '--project', 'a b'], 2, /Invalid project/],
    [['create', '--project', 'p', '--expires-in', '5x'], 2, /^tagstone admin token create: Invalid --expires-in '5x'/],
    [['create', '--project', 'p', '--expires-in', '0d'], 2, /Invalid --expires-in '0d': must be more than zero/],
    [['create', '--project', 'p', '--expires-in', '36501d'], 2, /Invalid --expires-in '36501d': must be at most/],
    [['create', '--project', 'p', '--expires-in'], 2, /option '--expires-in' needs a value/],
    [['create', '--project', 'p', '--expires-in=-1d'], 2, /Invalid --expires-in '-1d': use a whole number and a unit/],
    [['revoke'], 2, /needs the id/],
    [['revoke', 'no-such-id'], 1, /no token with id no-such-id/],
    [['frobnicate'], 2, /unknown token command/],
    [['list', '--bogus'], 2, /unknown option '--bogus'/],
  ]
  await runTagstone(['admin', 'token', 'list', '--data', dataDir]).then((r) =>
    t.match(r, { code: 2, stderr: /No tagstone data/ }, 'list on no data'),
  )
  t.equal(
    (await runTagstone(['admin', 'token', 'create', '--project', 'setup', '--init', '--data', dataDir])).code,
    0,
    '--init makes the store',
  )
  for (const [args, code, message] of cases) {
    const run = await runTagstone(['admin', 'token', ...args, '--data', dataDir])
    t.equal(run.code, code, args.join(' '))
    t.match(run.stderr, message)
    t.equal(run.stdout, '')
  }
  const fresh = join(t.testdir(), 'fresh')
  const bad = await runTagstone([
    'admin',
    'token',
    'create',
    '--project',
    'p',
    '--expires-in',
    '5x',
    '--init',
    '--data',
    fresh,
  ])
  t.equal(bad.code, 2, 'a duration it cannot read is a usage error')
  t.same(bad.stderr.split('\n').slice(0, 2), [
    "tagstone admin token create: Invalid --expires-in '5x': use a whole number and a unit, d, h, m or s (e.g. 30d, 12h, 45m, 90s).",
    'usage: tagstone admin token create --project P [--role member|admin] [--label TEXT] [--expires-in DURATION] [--init] [--json] [--data DIR]',
  ])
  t.notOk(existsSync(fresh), 'refused before anything is made')
  const elsewhere = join(t.testdir(), 'elsewhere')
  const env = { ...process.env, TAGSTONE_DATA: elsewhere }
  const mistyped = await runTagstone(['admin', 'token', 'create', '--project', 'p'], { env })
  t.equal(mistyped.code, 2, 'create refuses a data directory with no store')
  t.match(mistyped.stderr, /^tagstone admin token create: No tagstone data in .*; check --data, or pass --init/)
  t.equal(mistyped.stdout, '', 'and prints no token')
  t.notOk(existsSync(elsewhere), 'nor makes a store')
  const viaEnv = await runTagstone(['admin', 'token', 'create', '--project', 'p', '--init'], { env })
  t.equal(viaEnv.code, 0, 'TAGSTONE_DATA names the data directory')
  t.match((await runTagstone(['admin', 'token', 'list', '--json'], { env })).stdout, '"project":"p"')
})

t.test('token create --expires-in: the expiry on stderr and in the listing; expired ones are marked', async (t) => {
  const dataDir = t.testdir()
  const server: RunningServer = await startServer({
    dataDir,
    authenticate: (request) => tokenAuthenticate(server.engine.tokens)(request),
  })
  t.teardown(() => server.close())

  const before = Date.now()
  const made = await runTagstone([
    'admin',
    'token',
    'create',
    '--project',
    'p1',
    '--expires-in',
    '30d',
    '--data',
    dataDir,
  ])
  t.equal(made.code, 0, made.stderr)
  const expiry = /^token id [0-9a-f-]{36}, expires (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC \(revoke with: /.exec(
    made.stderr,
  )
  t.ok(expiry, `the id and the expiry on stderr: ${made.stderr}`)
  const token = made.stdout.trim()
  t.equal(
    (await fetch(`${server.url}/v1/functions`, { headers: { 'x-auth-token': token } })).status,
    200,
    'it works until then',
  )

  // A token that expired long ago, made as the admin commands would have made it then.
  const db = openDatabase(databasePath(dataDir))
  new TokenStore(db, () => new Date('2020-01-01T00:00:00Z')).createToken({
    projectId: 'p2',
    expiresInMs: 86_400_000,
  })
  db.close()

  const json = await runTagstone(['admin', 'token', 'list', '--json', '--data', dataDir])
  t.equal(json.code, 0, json.stderr)
  const tokens = (
    JSON.parse(json.stdout) as { tokens: Array<{ project: string; expires_at: string | null; expired: boolean }> }
  ).tokens
  const thirtyDays = 30 * 86_400_000
  const expiresAt = Date.parse(`${tokens[0]!.expires_at!.replace(' ', 'T')}Z`)
  t.ok(
    expiresAt >= before + thirtyDays && expiresAt <= Date.now() + thirtyDays + 1000,
    `expires_at ${tokens[0]!.expires_at} is 30 days ahead`,
  )
  t.equal(tokens[0]!.expires_at, expiry?.[1], 'as stderr said')
  t.same(
    tokens.map((x) => [x.project, x.expired]),
    [
      ['p1', false],
      ['p2', true],
    ],
  )
  t.equal(tokens[1]!.expires_at, '2020-01-02 00:00:00')

  const forever = await runTagstone(['admin', 'token', 'create', '--project', 'p3', '--json', '--data', dataDir])
  t.match(JSON.parse(forever.stdout), { project: 'p3', expires_at: null }, 'create --json carries expires_at')

  const listed = await runTagstone(['admin', 'token', 'list', '--data', dataDir])
  t.equal(listed.code, 0, listed.stderr)
  const lines = listed.stdout.trimEnd().split('\n')
  t.match(lines[0], /^ID +PROJECT +ROLE +CREATED +EXPIRES +REVOKED +LABEL$/)
  const column = lines[0]!.indexOf('EXPIRES')
  const cell = (line: string) => line.slice(column).split(/ {2,}/)[0]
  t.same(lines.slice(1).map(cell), [expiry?.[1], '2020-01-02 00:00:00 (expired)', 'never'])
})
