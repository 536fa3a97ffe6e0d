import t from 'tap'

import { tokenAuthenticate } from '../../server/token-auth.js'
import { functionForm, type RunningServer, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

/**
 * Every REST call against every kind of caller, over a real socket with real
 * tokens. The resource always belongs to project `alpha`.
 */
const CALLERS = ['owner', 'otherMember', 'otherAdmin', 'noToken', 'revoked'] as const
type Caller = (typeof CALLERS)[number]
type Row = Record<Caller, number>

interface Fixture {
  /** A function of `alpha` with version 1 and a newer package on `main`, no alias on it. */
  fn: string
  /** An alias of `alpha`, on another function of `alpha`. */
  alias: string
}

interface Reply {
  status: number
  text: string
}

type Send = (method: string, path: string, body?: { json?: unknown; form?: FormData }) => Promise<Reply>

interface Call {
  name: string
  expected: [owner: number, otherMember: number, otherAdmin: number, noToken: number, revoked: number]
  /** Changes the fixture: each cell gets a fresh one. */
  destructive?: boolean
  run(send: Send, f: Fixture, caller: Caller): Promise<Reply>
  /** Checks a successful reply says what this caller may know. */
  check?(reply: Reply, f: Fixture, caller: Caller): void
}

const zip = (text: string) => makeZip([{ name: 'main.py', content: `def main():\n  return ${JSON.stringify(text)}\n` }])

const CALLS: Call[] = [
  {
    name: 'function create',
    expected: [201, 201, 201, 401, 401],
    run: (send, _f, who) => send('POST', '/v1/functions', { form: functionForm(zip(who), { name: `by-${who}` }) }),
  },
  {
    name: 'function list',
    expected: [200, 200, 200, 401, 401],
    run: (send) => send('GET', '/v1/functions'),
    check: (reply, f, who) =>
      t.equal(reply.text.includes(f.fn), who === 'owner', `${who} lists alpha's function only if it is alpha's`),
  },
  {
    name: 'function list all_projects',
    expected: [403, 403, 200, 401, 401],
    run: (send) => send('GET', '/v1/functions?all_projects=true'),
    check: (reply, f) => t.ok(reply.text.includes(f.fn), 'all projects include alpha'),
  },
  {
    name: 'function list project_id=alpha',
    expected: [200, 403, 200, 401, 401],
    run: (send) => send('GET', '/v1/functions?project_id=alpha'),
    check: (reply, f) => t.ok(reply.text.includes(f.fn)),
  },
  {
    name: 'function show',
    expected: [200, 404, 200, 401, 401],
    run: (send, f) => send('GET', `/v1/functions/${f.fn}`),
  },
  {
    name: 'function download',
    expected: [200, 404, 200, 401, 401],
    run: (send, f) => send('GET', `/v1/functions/${f.fn}?download=true`),
  },
  {
    name: 'function update',
    expected: [200, 404, 404, 401, 401],
    run: (send, f, who) => send('PUT', `/v1/functions/${f.fn}`, { json: { description: `by ${who}` } }),
  },
  {
    name: 'function detach',
    expected: [403, 403, 202, 401, 401],
    run: (send, f) => send('POST', `/v1/functions/${f.fn}/detach`),
  },
  {
    name: 'function delete',
    expected: [204, 404, 403, 401, 401],
    destructive: true,
    run: (send, f) => send('DELETE', `/v1/functions/${f.fn}`),
  },
  {
    name: 'version create',
    expected: [201, 404, 404, 401, 401],
    destructive: true,
    run: (send, f) => send('POST', `/v1/functions/${f.fn}/versions`, { json: { description: 'two' } }),
  },
  {
    name: 'version list',
    expected: [200, 404, 200, 401, 401],
    run: (send, f) => send('GET', `/v1/functions/${f.fn}/versions`),
  },
  {
    name: 'version show',
    expected: [200, 404, 200, 401, 401],
    run: (send, f) => send('GET', `/v1/functions/${f.fn}/versions/1`),
  },
  {
    name: 'version download',
    expected: [200, 404, 200, 401, 401],
    run: (send, f) => send('GET', `/v1/functions/${f.fn}/versions/1?download=true`),
  },
  {
    name: 'version detach',
    expected: [403, 403, 202, 401, 401],
    run: (send, f) => send('POST', `/v1/functions/${f.fn}/versions/1/detach`),
  },
  {
    name: 'version delete',
    expected: [204, 404, 404, 401, 401],
    destructive: true,
    run: (send, f) => send('DELETE', `/v1/functions/${f.fn}/versions/1`),
  },
  {
    name: 'alias create',
    expected: [201, 404, 404, 401, 401],
    run: (send, f, who) =>
      send('POST', '/v1/aliases', { json: { name: `new-${who}`, function_id: f.fn, function_version: 1 } }),
  },
  {
    name: 'alias list',
    expected: [200, 200, 200, 401, 401],
    run: (send) => send('GET', '/v1/aliases'),
    check: (reply, f, who) =>
      t.equal(reply.text.includes(`"${f.alias}"`), who === 'owner', `${who} lists alpha's alias only if it is alpha's`),
  },
  { name: 'alias show', expected: [200, 404, 404, 401, 401], run: (send, f) => send('GET', `/v1/aliases/${f.alias}`) },
  {
    name: 'alias update',
    expected: [200, 404, 404, 401, 401],
    run: (send, f) => send('PUT', `/v1/aliases/${f.alias}`, { json: { description: 'moved' } }),
  },
  {
    name: 'alias delete',
    expected: [204, 404, 404, 401, 401],
    destructive: true,
    run: (send, f) => send('DELETE', `/v1/aliases/${f.alias}`),
  },
]

function sender(url: string, token: string | undefined): Send {
  return async (method, path, body = {}) => {
    const headers: Record<string, string> = token === undefined ? {} : { 'x-auth-token': token }
    let payload: BodyInit | undefined = body.form
    if (body.json !== undefined) {
      headers['content-type'] = 'application/json'
      payload = JSON.stringify(body.json)
    }
    const res = await fetch(url + path, { method, headers, ...(payload ? { body: payload } : {}) })
    return { status: res.status, text: await res.text() }
  }
}

t.test('who may do what, call by call', async (t) => {
  // The server authenticates with its own engine's token store, as `serve` does.
  const server: RunningServer = await startServer({
    dataDir: t.testdir(),
    authenticate: (request) => tokenAuthenticate(server.engine.tokens)(request),
  })
  t.teardown(() => server.close())
  const tokens = server.engine.tokens
  const revoked = tokens.createToken({ projectId: 'alpha' })
  tokens.revokeToken(revoked.id)
  const secrets: Record<Caller, string | undefined> = {
    owner: tokens.createToken({ projectId: 'alpha' }).token,
    otherMember: tokens.createToken({ projectId: 'beta' }).token,
    otherAdmin: tokens.createToken({ projectId: 'beta', role: 'admin' }).token,
    noToken: undefined,
    revoked: revoked.token,
  }
  const owner = sender(server.url, secrets.owner)

  let made = 0
  const fixture = async (): Promise<Fixture> => {
    const n = made++
    const ok = async (reply: Promise<Reply>, status: number) => {
      const r = await reply
      if (r.status !== status) throw new Error(`fixture: expected ${status}, got ${r.status}: ${r.text}`)
      return JSON.parse(r.text || 'null') as { id: string }
    }
    const fn = (await ok(owner('POST', '/v1/functions', { form: functionForm(zip(`a${n}`)) }), 201)).id
    await ok(owner('POST', `/v1/functions/${fn}/versions`, { json: { description: 'one' } }), 201)
    const update = new FormData()
    update.append('package', new Blob([new Uint8Array(zip(`b${n}`))]), 'package.zip')
    await ok(owner('PUT', `/v1/functions/${fn}`, { form: update }), 200)
    const other = (await ok(owner('POST', '/v1/functions', { form: functionForm(zip(`c${n}`)) }), 201)).id
    const alias = `alias-${n}`
    await ok(owner('POST', '/v1/aliases', { json: { name: alias, function_id: other } }), 201)
    return { fn, alias }
  }

  const shared = await fixture()
  const found: Record<string, Row> = {}
  const wanted: Record<string, Row> = {}
  for (const call of CALLS) {
    const row = {} as Row
    for (const [i, who] of CALLERS.entries()) {
      const f = call.destructive ? await fixture() : shared
      const reply = await call.run(sender(server.url, secrets[who]), f, who)
      row[who] = reply.status
      if (reply.status === 401) {
        t.same(JSON.parse(reply.text), {
          faultstring: 'Authentication required: send a valid X-Auth-Token header.',
          error: 'UNAUTHENTICATED',
        })
      } else if (reply.status < 300) {
        call.check?.(reply, f, who)
      } else {
        t.match(
          JSON.parse(reply.text),
          { faultstring: /\S/, error: /^[A-Z_]+$/ },
          `${call.name} as ${who}: a faultstring`,
        )
      }
      // A refused destructive call leaves the resource as it was.
      if (call.destructive && reply.status >= 400 && call.expected[i]! >= 400) {
        const still = call.name.startsWith('alias')
          ? `/v1/aliases/${f.alias}`
          : call.name.startsWith('version')
            ? `/v1/functions/${f.fn}/versions`
            : `/v1/functions/${f.fn}`
        const after = await owner('GET', still)
        t.equal(after.status, 200, `${call.name} as ${who} left it in place`)
        if (call.name === 'version create')
          t.equal((JSON.parse(after.text) as { function_versions: unknown[] }).function_versions.length, 1)
      }
    }
    found[call.name] = row
    wanted[call.name] = Object.fromEntries(CALLERS.map((who, i) => [who, call.expected[i]!])) as Row
    t.same(row, wanted[call.name], call.name)
  }
  t.same(found, wanted, 'the whole table')
})
