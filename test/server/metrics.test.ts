import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import t from 'tap'

import { Api } from '../helpers/api.js'
import { runGit } from '../helpers/git.js'
import { startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

interface Family {
  name: string
  type: string
  metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string }>
}

const server = await startServer({ dataDir: t.testdir() })
t.teardown(() => server.close())
const api = new Api(server.url, t)

let lastText = ''
async function scrape(): Promise<Map<string, Family>> {
  const reply = await api.get('/metrics')
  t.equal(reply.status, 200)
  t.match(reply.headers.get('content-type'), /^text\/plain/)
  lastText = reply.text
  const families = parsePrometheusTextFormat(reply.text) as Family[]
  return new Map(families.map((f) => [f.name, f]))
}

/** A histogram's `_count` for labels, read from the text: the parser loses a histogram's labels. */
const histogramCount = (name: string, labels: string) =>
  Number(new RegExp(`^${name}_count\\{${labels}[^}]*\\} (\\d+)$`, 'm').exec(lastText)?.[1] ?? 0)

const total = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}) =>
  (families.get(name)?.metrics ?? [])
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0)

t.test('a version create, an upload and a clone are counted once they happened', async (t) => {
  const before = await scrape()
  t.equal(total(before, 'tagstone_versions_created_total'), 0)
  t.equal(total(before, 'tagstone_git_clones_total'), 0)
  t.ok(before.has('tagstone_process_cpu_seconds_total'), 'process metrics')

  const zip = makeZip([{ name: 'main.py', content: 'def main():\n    return 1\n' }])
  const fn = await api.createFunction(zip)
  await api.createVersion(fn.id, 'one')
  t.equal((await api.post(`/v1/functions/${fn.id}/versions`)).status, 403, 'a refused create')
  const home = t.testdir()
  const cloned = await runGit(['clone', '-q', `${server.url}/git/${fn.id}.git`, 'work'], { cwd: home })
  t.equal(cloned.code, 0, cloned.stderr)
  await api.uploadPackage(fn.id, makeZip([{ name: 'main.py', content: 'def main():\n    return 2\n' }]))
  await api.createVersion(fn.id, 'two')
  const fetched = await runGit(['fetch', '-q', 'origin'], { cwd: `${home}/work` })
  t.equal(fetched.code, 0, fetched.stderr)
  t.equal((await api.post(`/v1/functions/${fn.id}/versions/1/restore`)).status, 200, 'a restore')
  t.equal((await api.delete(`/v1/functions/${fn.id}/versions/1`)).status, 204)

  const after = await scrape()
  t.equal(total(after, 'tagstone_versions_created_total'), 2, 'two creates; the refused one is not one')
  t.equal(total(after, 'tagstone_versions_deleted_total'), 1)
  t.equal(total(after, 'tagstone_versions_restored_total'), 1, 'restores are counted too')
  t.equal(total(after, 'tagstone_uploads_total'), 2)
  t.ok(total(after, 'tagstone_upload_bytes_total') >= zip.length * 2 - 10, 'upload bytes')
  t.equal(total(after, 'tagstone_git_clones_total'), 1, 'one clone')
  t.equal(total(after, 'tagstone_git_fetches_total'), 1, 'one fetch')
  t.ok(total(after, 'tagstone_git_sent_bytes_total') > 100, 'pack bytes sent')
  t.equal(
    total(after, 'tagstone_http_requests_total', {
      route: '/v1/functions/:id/versions',
      method: 'POST',
      status: '403',
    }),
    1,
    'requests by route template, method and status',
  )
  t.ok(after.has('tagstone_http_request_duration_seconds'), 'a duration histogram')
  t.ok(
    histogramCount('tagstone_http_request_duration_seconds', 'route="/v1/functions",method="POST",status="201"') >= 1,
    'with the route, method and status of each request',
  )
  t.ok(histogramCount('tagstone_write_sync_duration_seconds', 'what="file"') > 0, 'fsyncs timed')
  t.ok(total(after, 'tagstone_cache_misses_total') > 0, 'cache misses')
  t.ok(
    after.get('tagstone_cache_hits_total')?.metrics.some((m) => m.labels?.cache === 'git_objects'),
    'per cache',
  )
  t.ok(after.get('tagstone_cache_hits_total')?.metrics.some((m) => m.labels?.cache === 'package_archives'))

  const labelValues = [...after.values()].flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels ?? {})))
  t.notOk(
    labelValues.some((v) => v.includes(fn.id)),
    'no function id in any label',
  )
  t.notOk(
    labelValues.some((v) => v.includes('default')),
    'nor a project',
  )
})
