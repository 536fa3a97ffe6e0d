import { createHash } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { adminTokenPath, bootstrapAdminToken } from '../../engine/admin-token-file.js'
import { databasePath } from '../../engine/engine.js'
import { openTokenStore } from '../../engine/open-token-store.js'
import { openDatabase } from '../../engine/store/open-database.js'
import { isExpired, TokenStore } from '../../engine/tokens.js'

t.test('a token is returned once, kept only as a hash, and names its project and role', async (t) => {
  const dir = t.testdir()
  const store = openTokenStore(dir, { create: true })
  t.teardown(() => store.close())
  const member = store.createToken({ projectId: 'p1' })
  const admin = store.createToken({ projectId: 'ops', role: 'admin', label: 'ci' })
  t.match(member.token, /^tgs_[A-Za-z0-9_-]{43}$/)
  t.not(member.token, admin.token)
  t.same(store.authenticateToken(member.token), { projectId: 'p1', role: 'member', actor: member.id })
  t.same(store.authenticateToken(admin.token), { projectId: 'ops', role: 'admin', actor: admin.id })

  const listed = store.listTokens()
  t.same(
    listed.map((x) => [x.id, x.project_id, x.role, x.label, x.revoked_at]),
    [
      [member.id, 'p1', 'member', null, null],
      [admin.id, 'ops', 'admin', 'ci', null],
    ],
  )
  t.notOk(JSON.stringify(listed).includes(member.token), 'a listing holds no secret')

  // Nothing on disk holds a secret: neither the database file nor its WAL.
  const onDisk = Buffer.concat([readFileSync(databasePath(dir)), readFileSync(`${databasePath(dir)}-wal`)])
  t.equal(onDisk.indexOf(member.token.slice(4)), -1, 'the secret is not in the database files')
  t.ok(onDisk.indexOf(createHash('sha256').update(member.token).digest('hex')) >= 0, 'its sha256 is')
})

t.test('unknown, malformed and revoked secrets authenticate as nobody', async (t) => {
  const store = openTokenStore(t.testdir(), { create: true })
  t.teardown(() => store.close())
  const made = store.createToken({ projectId: 'p1' })
  const flipped = made.token.slice(0, -1) + (made.token.endsWith('A') ? 'B' : 'A')
  for (const secret of ['', 'tgs_', flipped, made.token + 'x', ` ${made.token}`, made.token.slice(4)]) {
    t.equal(store.authenticateToken(secret), null, `refused: ${JSON.stringify(secret.slice(0, 8))}...`)
  }
  const revoked = store.revokeToken(made.id)
  t.match(revoked, { id: made.id, revoked_at: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/ })
  t.equal(store.authenticateToken(made.token), null)
  t.same(store.revokeToken(made.id), revoked, 'revoking again changes nothing')
  t.equal(store.revokeToken('no-such-id'), undefined)
  t.ok(store.hasTokens(), 'a revoked token still counts as one')
})

t.test('bad projects and roles are refused', async (t) => {
  const store = openTokenStore(t.testdir(), { create: true })
  t.teardown(() => store.close())
  for (const projectId of ['', 'a b', '../x', 'x'.repeat(65), '-lead']) {
    t.throws(() => store.createToken({ projectId }), { code: 'INVALID_FIELD' }, JSON.stringify(projectId))
  }
  t.throws(() => store.createToken({ projectId: 'p', role: 'root' as never }), { code: 'INVALID_FIELD' })
  t.notOk(store.hasTokens())
})

t.test('a token made on one connection is seen at once by another (the CLI beside a server)', async (t) => {
  const dir = t.testdir()
  const server = openTokenStore(dir, { create: true })
  const cli = openTokenStore(dir)
  t.teardown(() => (cli.close(), server.close()))
  const made = cli.createToken({ projectId: 'p1' })
  t.same(server.authenticateToken(made.token), { projectId: 'p1', role: 'member', actor: made.id })
  cli.revokeToken(made.id)
  t.equal(server.authenticateToken(made.token), null)
})

t.test('a token proven before is refused on the very next call once revoked, here or by another process', async (t) => {
  const dir = t.testdir()
  const server = openTokenStore(dir, { create: true })
  const cli = openTokenStore(dir)
  t.teardown(() => (cli.close(), server.close()))
  const [here, there, kept] = [1, 2, 3].map(() => cli.createToken({ projectId: 'p1' }))
  for (const made of [here!, there!, kept!]) {
    // Twice: the second call is answered from what the first proved.
    t.same(server.authenticateToken(made.token), { projectId: 'p1', role: 'member', actor: made.id })
    t.same(server.authenticateToken(made.token), { projectId: 'p1', role: 'member', actor: made.id })
  }
  server.revokeToken(here!.id)
  t.equal(server.authenticateToken(here!.token), null, 'revoked on the same connection')
  cli.revokeToken(there!.id)
  t.equal(server.authenticateToken(there!.token), null, 'revoked by another connection')
  t.same(
    server.authenticateToken(kept!.token),
    { projectId: 'p1', role: 'member', actor: kept!.id },
    'the others still work',
  )
  t.ok(Object.isFrozen(server.authenticateToken(kept!.token)), 'one request cannot change what the next is')
})

t.test('two token stores on one connection see each other revoke', async (t) => {
  const db = openDatabase(databasePath(t.testdir()))
  t.teardown(() => db.close())
  const [first, second] = [new TokenStore(db), new TokenStore(db)]
  const made = first.createToken({ projectId: 'p1' })
  t.ok(second.authenticateToken(made.token))
  first.revokeToken(made.id)
  t.equal(second.authenticateToken(made.token), null)
})

t.test('the proven tokens kept are bounded; the oldest are looked up again', async (t) => {
  const db = openDatabase(databasePath(t.testdir()))
  t.teardown(() => db.close())
  // Room for two entries.
  const store = new TokenStore(db, () => new Date(), 512)
  const made = [1, 2, 3].map(() => store.createToken({ projectId: 'p1' }))
  for (let round = 0; round < 2; round++) {
    for (const m of made) t.same(store.authenticateToken(m.token), { projectId: 'p1', role: 'member', actor: m.id })
  }
  store.revokeToken(made[0]!.id)
  t.equal(store.authenticateToken(made[0]!.token), null)
})

t.test('the admin commands do not create a data directory by accident', async (t) => {
  t.throws(() => openTokenStore(join(t.testdir(), 'nowhere')), /No tagstone data/)
})

t.test('the first admin token is made once, in a 0600 file', async (t) => {
  const dir = t.testdir()
  const store = openTokenStore(dir, { create: true })
  t.teardown(() => store.close())
  const path = bootstrapAdminToken(store, dir)
  t.equal(path, adminTokenPath(dir))
  t.equal(statSync(path!).mode & 0o777, 0o600)
  const secret = readFileSync(path!, 'utf8').trim()
  t.same(store.authenticateToken(secret), { projectId: 'default', role: 'admin', actor: store.listTokens()[0]!.id })
  t.equal(bootstrapAdminToken(store, dir), undefined, 'a second start makes none')
  t.equal(store.listTokens().length, 1)
  t.equal(readFileSync(path!, 'utf8').trim(), secret, 'and leaves the file alone')
})

t.test('a stale token file with no token behind it is replaced, with mode 0600', async (t) => {
  const dir = t.testdir()
  writeFileSync(adminTokenPath(dir), 'tgs_stale\n', { mode: 0o644 })
  const store = openTokenStore(dir, { create: true })
  t.teardown(() => store.close())
  bootstrapAdminToken(store, dir)
  t.equal(statSync(adminTokenPath(dir)).mode & 0o777, 0o600)
  t.ok(store.authenticateToken(readFileSync(adminTokenPath(dir), 'utf8').trim()))
})

t.test('when the token file cannot be written, no token is made', async (t) => {
  const store = openTokenStore(t.testdir(), { create: true })
  t.teardown(() => store.close())
  t.throws(() => bootstrapAdminToken(store, join(t.testdirName, 'missing-dir')), { code: 'ENOENT' })
  t.notOk(store.hasTokens(), 'the token row was rolled back with the failed write')
})

t.test('a token with an expiry works until then, and is TOKEN_EXPIRED from then on', async (t) => {
  const db = openDatabase(databasePath(t.testdir()))
  t.teardown(() => db.close())
  let clock = new Date('2026-12-01T09:00:00.250Z')
  const store = new TokenStore(db, () => clock)
  const made = store.createToken({ projectId: 'p1', expiresInMs: 3_600_000 })
  const forever = store.createToken({ projectId: 'p1' })
  t.equal(made.expires_at, '2026-12-01 10:00:01', 'rounded up to the second: never sooner than asked')
  t.equal(forever.expires_at, null, 'without an expiry, never')
  t.same(
    store.listTokens().map((x) => x.expires_at),
    ['2026-12-01 10:00:01', null],
  )
  const logged = db.prepare(`SELECT details FROM events WHERE action = 'token.create' ORDER BY id`).all() as Array<{
    details: string
  }>
  t.same(
    logged.map((e) => (JSON.parse(e.details) as { expires_at?: string }).expires_at),
    ['2026-12-01 10:00:01', undefined],
    'the create event says when it expires, if ever',
  )

  const ctx = { projectId: 'p1', role: 'member', actor: made.id }
  t.same(store.authenticateToken(made.token), ctx, 'proven, so kept')
  clock = new Date('2026-12-01T10:00:00.999Z')
  t.same(store.authenticateToken(made.token), ctx, 'still works a moment before')
  t.notOk(isExpired(made, clock), 'not expired a moment before')
  clock = new Date('2026-12-01T10:00:01Z')
  t.ok(isExpired(made, clock), 'expired at the second it names')
  const expired = {
    code: 'TOKEN_EXPIRED',
    message: 'The token expired at 2026-12-01 10:00:01 UTC; ask for a new one.',
  }
  t.throws(() => store.authenticateToken(made.token), expired, 'the kept one fails on its next call')
  t.throws(() => store.authenticateToken(made.token), expired, 'and on every call after')
  t.same(store.authenticateToken(forever.token), { projectId: 'p1', role: 'member', actor: forever.id })

  // Another connection that never proved it refuses it straight from its row.
  const other = new TokenStore(db, () => clock)
  t.throws(() => other.authenticateToken(made.token), expired, 'unproven and expired')
  store.revokeToken(made.id)
  t.equal(store.authenticateToken(made.token), null, 'revoked wins: as unknown')
})

t.test('an expiry must be more than zero and at most 36500 days', async (t) => {
  const store = openTokenStore(t.testdir(), { create: true })
  t.teardown(() => store.close())
  for (const expiresInMs of [0, -1000, Number.NaN, Number.POSITIVE_INFINITY, 36_501 * 86_400_000]) {
    t.throws(() => store.createToken({ projectId: 'p', expiresInMs }), { code: 'INVALID_FIELD' }, String(expiresInMs))
  }
  t.notOk(store.hasTokens())
})
