import t from 'tap'

import { tokenAuthenticate } from '../../server/token-auth.js'
import { Api } from '../helpers/api.js'
import { type RunningServer, startServer } from '../helpers/server.js'
import { runTagstone } from '../helpers/tagstone-process.js'
import { makeZip } from '../helpers/zip.js'

const zip = (n: number) =>
  makeZip([
    { name: 'main.py', content: `def main():\n    return ${n}\n` },
    { name: 'README', content: 'same\n' },
  ])

t.test('tagstone diff and restore against a running server', async (t) => {
  const server: RunningServer = await startServer({
    dataDir: t.testdir(),
    authenticate: (request) => tokenAuthenticate(server.engine.tokens)(request),
  })
  t.teardown(() => server.close())
  const token = server.engine.tokens.createToken({ projectId: 'alpha' }).token
  const other = server.engine.tokens.createToken({ projectId: 'beta' }).token
  const api = new Api(server.url, t)
  const as = { headers: { 'x-auth-token': token } }
  const form = new FormData()
  for (const [k, v] of Object.entries({ name: 'f', runtime_id: 'python3', code: '{"source": "package"}' }))
    form.append(k, v)
  form.append('package', new Blob([new Uint8Array(zip(1))]), 'p.zip')
  const fn = (await api.post('/v1/functions', { ...as, form })).json<{ id: string }>()
  await api.post(`/v1/functions/${fn.id}/versions`, as)
  const update = new FormData()
  update.append('package', new Blob([new Uint8Array(zip(2))]), 'p.zip')
  update.append('timeout', '9')
  await api.put(`/v1/functions/${fn.id}`, { ...as, form: update })
  await api.post(`/v1/functions/${fn.id}/versions`, as)

  const args = ['--url', server.url, '--token', token]
  const patch = await runTagstone(['diff', fn.id, '1', '2', ...args])
  t.equal(patch.code, 0, patch.stderr)
  t.match(patch.stdout, /^diff --git a\/main\.py b\/main\.py\n[^]*- {4}return 1\n\+ {4}return 2\n$/)

  const stat = await runTagstone(['diff', fn.id, '1', '--stat'], {
    env: { ...process.env, TAGSTONE_URL: server.url, TAGSTONE_TOKEN: token },
  })
  t.equal(stat.code, 0, stat.stderr)
  t.match(stat.stdout, /^v1\.\.current\n main\.py \| \+1 -1 \(modified\)\n 1 file\(s\) changed/)
  t.match(stat.stdout, / config timeout: 5 -> 9\n$/)
  const json = await runTagstone(['diff', fn.id, '2', '1', '--json', ...args])
  t.match(JSON.parse(json.stdout), { from: { version: 2 }, to: { version: 1 }, stats: { files_changed: 1 } })

  const restored = await runTagstone(['restore', fn.id, '1', ...args])
  t.equal(restored.code, 0, restored.stderr)
  t.match(restored.stdout, new RegExp(`^function ${fn.id} runs version 1: commit [0-9a-f]{40}, md5 [0-9a-f]{32}\\n$`))
  const asJson = await runTagstone(['restore', fn.id, '1', '--json', ...args])
  t.match(JSON.parse(asJson.stdout), { id: fn.id, timeout: 5 })

  const hidden = await runTagstone(['restore', fn.id, '1', '--url', server.url, '--token', other])
  t.equal(hidden.code, 1, 'a refusal exits 1')
  t.match(hidden.stderr, new RegExp(`^tagstone restore: 404: Function ${fn.id} not found\\.\\n$`))
  const unknown = await runTagstone(['diff', fn.id, '7', ...args])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /Version 7 of function .* not found/)
  const noToken = await runTagstone(['diff', fn.id, '1', '--url', server.url], {
    env: { ...process.env, TAGSTONE_TOKEN: '' },
  })
  t.equal(noToken.code, 1)
  t.match(noToken.stderr, /^tagstone diff: 401: /)
  const unreachable = await runTagstone(['diff', fn.id, '1', '--url', 'http://127.0.0.1:9'])
  t.equal(unreachable.code, 2, 'a server that cannot be reached exits 2')
  t.match(unreachable.stderr, /^tagstone diff: cannot reach http:\/\/127\.0\.0\.1:9/)
  const usage = await runTagstone(['restore', fn.id])
  t.equal(usage.code, 2)
  t.match(usage.stderr, /a function id and a version number are needed\nusage: tagstone restore/)
})
