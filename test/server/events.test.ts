import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'

import t from 'tap'

import type { EventRecord } from '../../engine/records.js'
import { tokenAuthenticate } from '../../server/token-auth.js'
import { Api, expectFault, type Json, type Reply } from '../helpers/api.js'
import { functionForm, type RunningServer, startServer } from '../helpers/server.js'
import { runTagstone, TAGSTONE } from '../helpers/tagstone-process.js'
import { makeZip } from '../helpers/zip.js'

const pkg = (n: number) => makeZip([{ name: 'main.py', content: `def main():\n    return ${n}\n` }])

type EventJson = EventRecord

/** An Api whose every call carries a token. */
class TokenApi extends Api {
  constructor(url: string, t: ConstructorParameters<typeof Api>[1], token: string) {
    super(url, t)
    const call = this.call.bind(this)
    this.call = (method, path, options = {}) =>
      call(method, path, { ...options, headers: { 'x-auth-token': token, ...options.headers } })
  }
}

const packageForm = (zip: Buffer) => {
  const form = new FormData()
  form.append('package', new Blob([new Uint8Array(zip)]), 'package.zip')
  return form
}

async function ok(reply: Promise<Reply>, status: number): Promise<Json> {
  const r = await reply
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`)
  return r.headers.get('content-type')?.startsWith('application/json') ? r.json() : {}
}

async function allEvents(api: Api, query = ''): Promise<EventJson[]> {
  const events: EventJson[] = []
  let path: string | undefined = `/v1/events?limit=7${query}`
  while (path) {
    const page: { events: EventJson[]; next?: string } = (await api.get(path)).json()
    events.push(...page.events)
    path = page.next
  }
  return events
}

t.test('events: one per change, in order, with the actor; none for a refusal; per project', async (t) => {
  // The server authenticates with its own engine's token store, as `serve` does.
  const server: RunningServer = await startServer({
    dataDir: t.testdir(),
    authenticate: (request) => tokenAuthenticate(server.engine.tokens)(request),
  })
  t.teardown(() => server.close())
  const tokens = server.engine.tokens
  const ann = tokens.createToken({ projectId: 'alpha', label: 'ann' })
  const bob = tokens.createToken({ projectId: 'alpha', role: 'admin', label: 'bob' })
  const eve = tokens.createToken({ projectId: 'beta' })
  const root = tokens.createToken({ projectId: 'beta', role: 'admin' })
  const a = new TokenApi(server.url, t, ann.token)
  const b = new TokenApi(server.url, t, bob.token)
  const e = new TokenApi(server.url, t, eve.token)
  const admin = new TokenApi(server.url, t, root.token)
  const refused = async (reply: Promise<Reply>, status: number) => t.equal((await reply).status, status, 'refused')

  // Twenty changes, with refused requests between them.
  const f1 = (await ok(a.post('/v1/functions', { form: functionForm(pkg(1)) }), 201)).id as string
  await ok(b.put(`/v1/functions/${f1}`, { json: { description: 'described' } }), 200)
  await ok(a.put(`/v1/functions/${f1}`, { form: packageForm(pkg(2)) }), 200)
  await ok(a.post(`/v1/functions/${f1}/versions`, { json: {} }), 201)
  await refused(a.post(`/v1/functions/${f1}/versions`, { json: {} }), 403)
  await refused(a.put(`/v1/functions/${f1}`, { json: { cpu: 1 } }), 400)
  await ok(b.put(`/v1/functions/${f1}`, { form: packageForm(pkg(3)) }), 200)
  await refused(b.put(`/v1/functions/${f1}`, { form: packageForm(pkg(4)), headers: { 'if-match': '"old"' } }), 412)
  await ok(b.post(`/v1/functions/${f1}/versions`, { json: { description: 'two' } }), 201)
  await ok(a.post('/v1/aliases', { json: { name: 'prod', function_id: f1, function_version: 1 } }), 201)
  await refused(a.post('/v1/aliases', { json: { name: 'prod', function_id: f1 } }), 409)
  const weights = { additional_version_weights: { 1: 0.1 } }
  await refused(b.put('/v1/aliases/prod', { json: { routing_config: { additional_version_weights: { 1: 1 } } } }), 400)
  await ok(b.put('/v1/aliases/prod', { json: { function_version: 2, routing_config: weights } }), 200)
  await refused(a.delete(`/v1/functions/${f1}/versions/1`), 403)
  const f2 = (await ok(a.post('/v1/functions', { form: functionForm(pkg(10)) }), 201)).id as string
  await ok(a.post(`/v1/functions/${f2}/versions`, { json: {} }), 201)
  await ok(b.put(`/v1/functions/${f1}`, { json: { version_retention: 5 } }), 200)
  await ok(b.put(`/v1/functions/${f1}`, { json: { version_retention: 5 } }), 200) // changes nothing: no event
  await ok(a.put(`/v1/functions/${f1}`, { form: packageForm(pkg(3)) }), 200) // the same bytes: no event
  await ok(a.post('/v1/aliases', { json: { name: 'edge', function_id: f2 } }), 201)
  await ok(a.delete('/v1/aliases/edge'), 204)
  await refused(e.delete(`/v1/functions/${f1}`), 404)
  await ok(b.put(`/v1/functions/${f1}`, { form: packageForm(pkg(5)) }), 200)
  await ok(b.post(`/v1/functions/${f1}/versions`, { json: {} }), 201)
  await ok(a.put('/v1/aliases/prod', { json: { routing_config: { additional_version_weights: {} } } }), 200)
  await ok(a.delete(`/v1/functions/${f1}/versions/1`), 204)
  await ok(b.delete(`/v1/functions/${f2}/versions/1`), 204)
  await ok(a.delete(`/v1/functions/${f2}`), 204)
  await ok(admin.post(`/v1/functions/${f1}/versions/3/detach`), 202)

  const events = await allEvents(a)
  const A = ann.id
  const B = bob.id
  t.same(
    events.map((x) => [x.actor, x.action, x.function_id, x.version, x.alias]),
    [
      ['cli', 'token.create', null, null, null],
      ['cli', 'token.create', null, null, null],
      [A, 'function.create', f1, null, null],
      [B, 'function.update', f1, null, null],
      [A, 'function.update', f1, null, null],
      [A, 'version.create', f1, 1, null],
      [B, 'function.update', f1, null, null],
      [B, 'version.create', f1, 2, null],
      [A, 'alias.create', f1, 1, 'prod'],
      [B, 'alias.update', f1, 2, 'prod'],
      [A, 'function.create', f2, null, null],
      [A, 'version.create', f2, 1, null],
      [B, 'function.update', f1, null, null],
      [A, 'alias.create', f2, 0, 'edge'],
      [A, 'alias.delete', f2, 0, 'edge'],
      [B, 'function.update', f1, null, null],
      [B, 'version.create', f1, 3, null],
      [A, 'alias.update', f1, 2, 'prod'],
      [A, 'version.delete', f1, 1, null],
      [B, 'version.delete', f2, 1, null],
      [A, 'function.delete', f2, null, null],
      [root.id, 'version.detach', f1, 3, null],
    ],
    'the two token creates, then exactly the 20 changes, in order, with their actors',
  )
  t.ok(
    events.every((x) => x.project_id === 'alpha' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(x.time)),
    "alpha's, with times",
  )
  t.same(events[3]!.details, { changed: ['description'] })
  t.match(events[4]!.details, { changed: ['package'], md5sum: /^[0-9a-f]{32}$/ })
  t.same(events[9]!.details, { routing_config: weights })
  t.notOk(JSON.stringify(events).includes(ann.token), 'never a secret')
  t.same(
    events.map((x) => x.id),
    [...events.map((x) => x.id)].sort((p, q) => p - q),
    'oldest first',
  )

  // Project isolation.
  const theirs = await allEvents(e)
  t.same(
    theirs.map((x) => x.action),
    ['token.create', 'token.create'],
    'member B sees none of alpha',
  )
  expectFault(t, await e.get('/v1/events?all_projects=true'), 403, /Only an admin/)
  t.same(await allEvents(e, `&function_id=${f1}`), [], "filtering on alpha's function shows nothing either")
  const everything = await allEvents(admin, '&all_projects=true')
  t.equal(everything.length, events.length + 2, 'an admin with all_projects sees both projects')

  // Filters and pages.
  t.same(
    (await allEvents(a, `&function_id=${f2}`)).map((x) => x.action),
    ['function.create', 'version.create', 'alias.create', 'alias.delete', 'version.delete', 'function.delete'],
  )
  t.same(
    (await allEvents(a, '&action=version.create')).map((x) => x.version),
    [1, 2, 1, 3],
  )
  t.equal((await allEvents(a, `&since=${encodeURIComponent(events[0]!.time)}`)).length, events.length)
  t.same(await allEvents(a, '&since=2999-01-01T00:00:00Z'), [])
  const page = (await a.get('/v1/events?limit=5')).json<{ events: EventJson[]; next: string }>()
  t.equal(page.events.length, 5)
  t.equal(page.next, `/v1/events?limit=5&marker=${page.events[4]!.id}`)
  const last = (await a.get(`/v1/events?marker=${events.at(-1)!.id}`)).json<Json>()
  t.same(last, { events: [] }, 'no next after the last page')
  tokens.revokeToken(ann.id)
  tokens.revokeToken(ann.id)
  const revokes = await allEvents(b, '&action=token.revoke')
  t.same(
    revokes.map((x) => [x.actor, x.details]),
    [['cli', { token_id: ann.id, role: 'member', label: 'ann' }]],
    'a revoke is logged once; revoking again changes nothing',
  )

  for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'marker=-1', 'marker=x', 'function_id=nope', 'since=soon']) {
    expectFault(t, await b.get(`/v1/events?${bad}`), 400, undefined, bad)
  }
})

t.test('tagstone admin events: the whole log, --function, --json, --follow', async (t) => {
  const dataDir = t.testdir()
  const server = await startServer({ dataDir })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const fn = await api.createFunction(pkg(1))
  await api.createVersion(fn.id, 'one')
  const other = await api.createFunction(pkg(2))

  const json = await runTagstone(['admin', 'events', '--json', '--data', dataDir])
  t.equal(json.code, 0, json.stderr)
  const lines = json.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EventJson)
  t.same(
    lines.map((x) => [x.actor, x.action]),
    [
      ['no-auth', 'function.create'],
      ['no-auth', 'version.create'],
      ['no-auth', 'function.create'],
    ],
  )
  const text = await runTagstone(['admin', 'events', '--function', fn.id, '--data', dataDir])
  t.equal(text.code, 0, text.stderr)
  t.match(text.stdout, new RegExp(`default  no-auth  version.create  ${fn.id} v1 \\{"description":"one"`))
  t.notMatch(text.stdout, other.id)

  const { NODE_OPTIONS: _hooks, ...env } = process.env
  const follow = spawn(process.execPath, [TAGSTONE, 'admin', 'events', '--follow', '--json', '--data', dataDir], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  follow.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const linesOut = () => out.split('\n').filter(Boolean).length
  for (let i = 0; i < 200 && linesOut() < 3; i++) await sleep(50)
  t.equal(linesOut(), 3, 'the log so far')
  await api.delete(`/v1/functions/${other.id}`)
  for (let i = 0; i < 200 && linesOut() < 4; i++) await sleep(50)
  t.match(JSON.parse(out.trim().split('\n').at(-1)!), { action: 'function.delete', function_id: other.id })
  follow.kill('SIGTERM')
  const [code] = (await once(follow, 'exit')) as [number | null]
  t.equal(code, 0, 'stops cleanly on a signal')
})
