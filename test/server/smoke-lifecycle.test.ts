import { createHash } from 'node:crypto'

import t from 'tap'

import { functionForm, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex')

t.test('create, version, unchanged refusal, download, delete', async (t) => {
  const server = await startServer({ dataDir: t.testdir() })
  t.teardown(() => server.close())
  const zip = makeZip([{ name: 'main.py', content: 'def main():\n  return 1\n' }])
  const created = await fetch(`${server.url}/v1/functions`, { method: 'POST', body: functionForm(zip) })
  t.equal(created.status, 201)
  const fn = (await created.json()) as { id: string; code: string; latest_version: number }
  t.equal(JSON.parse(fn.code).md5sum, md5(zip))
  t.equal(fn.latest_version, 0)

  const v1 = await fetch(`${server.url}/v1/functions/${fn.id}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"description":"one"}',
  })
  t.equal(v1.status, 201)
  t.match(await v1.json(), { version_number: 1, description: 'one', status: 'available', tag: 'v1' })

  const again = await fetch(`${server.url}/v1/functions/${fn.id}/versions`, { method: 'POST' })
  t.equal(again.status, 403)
  t.same(await again.json(), {
    faultstring: 'Function package not changed since the latest version 1.',
    error: 'VERSION_UNCHANGED',
  })

  const download = await fetch(`${server.url}/v1/functions/${fn.id}/versions/1?download=true`)
  t.equal(download.status, 200)
  t.equal(md5(Buffer.from(await download.arrayBuffer())), md5(zip))

  t.equal((await fetch(`${server.url}/v1/functions/${fn.id}/versions/1`, { method: 'DELETE' })).status, 204)
  t.equal((await fetch(`${server.url}/v1/functions/${fn.id}`, { method: 'DELETE' })).status, 204)
  t.equal((await fetch(`${server.url}/v1/functions/${fn.id}`)).status, 404)
})
