import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { isLoopbackHost } from '../../server/loopback.js'
import { functionForm } from '../helpers/server.js'
import { runTagstone, startServe } from '../helpers/tagstone-process.js'
import { makeZip } from '../helpers/zip.js'

const zip = makeZip([{ name: 'main.py', content: 'def main():\n  return 1\n' }])

async function tokenCount(dataDir: string): Promise<number> {
  const listed = await runTagstone(['admin', 'token', 'list', '--json', '--data', dataDir])
  if (listed.code !== 0) throw new Error(listed.stderr)
  return (JSON.parse(listed.stdout) as { tokens: unknown[] }).tokens.length
}

t.test('the first start writes one admin token, 0600, that works; the second start makes none', async (t) => {
  const dataDir = t.testdir()
  const first = await startServe(['--data', dataDir])
  t.teardown(first.stop)
  const path = join(dataDir, 'admin-token')
  t.same(
    readdirSync(dataDir).filter((name) => /token/i.test(name)),
    ['admin-token'],
    'exactly one token file',
  )
  t.equal(statSync(path).mode & 0o777, 0o600)
  const admin = readFileSync(path, 'utf8').trim()
  t.match(admin, /^tgs_[A-Za-z0-9_-]{43}$/)
  t.match(first.output(), path, 'the log says where the token is')

  t.equal((await fetch(`${first.url}/v1/functions`)).status, 401, 'tokens are required')
  const created = await fetch(`${first.url}/v1/functions`, {
    method: 'POST',
    headers: { 'x-auth-token': admin },
    body: functionForm(zip),
  })
  t.equal(created.status, 201)
  const fn = (await created.json()) as { id: string; project_id: string }
  t.equal(fn.project_id, 'default', 'the first admin token is of project default')
  const all = await fetch(`${first.url}/v1/functions?all_projects=true`, { headers: { 'x-auth-token': admin } })
  t.equal(all.status, 200, 'and it is an admin')
  const refs = `${first.url}/git/${fn.id}.git/info/refs?service=git-upload-pack`
  const challenged = await fetch(refs)
  t.equal(challenged.status, 401, 'git needs a token too')
  t.match(challenged.headers.get('www-authenticate'), /^Basic /)
  t.equal(
    (await fetch(refs, { headers: { authorization: `Basic ${Buffer.from(`x:${admin}`).toString('base64')}` } })).status,
    200,
    'given as the Basic password',
  )

  // A token made by the CLI beside the running server works at once.
  const made = await runTagstone(['admin', 'token', 'create', '--project', 'p1', '--data', dataDir])
  t.equal(made.code, 0, made.stderr)
  const member = made.stdout.trim()
  t.equal((await fetch(`${first.url}/v1/functions`, { headers: { 'x-auth-token': member } })).status, 200)
  t.equal(
    (await fetch(`${first.url}/v1/functions/${fn.id}`, { headers: { 'x-auth-token': member } })).status,
    404,
    'another project is hidden',
  )
  await first.stop()
  t.equal(await tokenCount(dataDir), 2)

  const second = await startServe(['--data', dataDir])
  t.teardown(second.stop)
  t.equal(await tokenCount(dataDir), 2, 'no new token on the second start')
  t.equal(readFileSync(path, 'utf8').trim(), admin, 'the token file is left as it was')
  t.notMatch(second.output(), /admin token/, 'and nothing is said about one')
  t.equal((await fetch(`${second.url}/v1/functions/${fn.id}`, { headers: { 'x-auth-token': admin } })).status, 200)
  await second.stop()

  for (const secret of [admin, member]) {
    t.notOk(first.output().includes(secret) || second.output().includes(secret), 'no token in the logs')
  }
})

t.test('--no-auth refuses a non-loopback address', async (t) => {
  const dataDir = join(t.testdir(), 'data')
  for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
    const run = await runTagstone(['serve', '--no-auth', '--host', host, '--port', '0', '--data', dataDir])
    t.not(run.code, 0, `${host}: non-zero exit`)
    t.match(run.stderr, /--no-auth .*loopback/, `${host}: says why on stderr`)
    t.equal(run.stdout, '')
  }
  t.notOk(existsSync(dataDir), 'nothing was opened')
  const viaEnv = await runTagstone(['serve', '--host', '0.0.0.0', '--port', '0', '--data', dataDir], {
    env: { ...process.env, TAGSTONE_NO_AUTH: '1' },
  })
  t.not(viaEnv.code, 0, 'TAGSTONE_NO_AUTH=1 too')
})

t.test('--no-auth on 127.0.0.1 needs no token and acts as project default, role admin', async (t) => {
  const dataDir = t.testdir()
  const server = await startServe(['--no-auth', '--host', '127.0.0.1', '--data', dataDir])
  t.teardown(server.stop)
  const created = await fetch(`${server.url}/v1/functions`, { method: 'POST', body: functionForm(zip) })
  t.equal(created.status, 201)
  t.match(await created.json(), { project_id: 'default' })
  t.equal((await fetch(`${server.url}/v1/functions?all_projects=true`)).status, 200)
  const fn = (await (await fetch(`${server.url}/v1/functions?all_projects=true`)).json()) as {
    functions: Array<{ id: string }>
  }
  t.equal(
    (await fetch(`${server.url}/git/${fn.functions[0]!.id}.git/info/refs?service=git-upload-pack`)).status,
    200,
    'git needs no token either',
  )
  t.notOk(existsSync(join(dataDir, 'admin-token')), 'no token file without token auth')
})

t.test('loopback addresses', async (t) => {
  for (const host of [
    '127.0.0.1',
    '127.8.9.10',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    'localhost',
    'LOCALHOST',
  ])
    t.ok(isLoopbackHost(host), host)
  for (const host of [
    '0.0.0.0',
    '::',
    '128.0.0.1',
    '10.0.0.1',
    '::ffff:10.0.0.1',
    'example.org',
    '',
    '127.0.0.1.example.org',
  ])
    t.notOk(isLoopbackHost(host), host)
})
