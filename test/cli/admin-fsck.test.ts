import t from 'tap'

import { buildFixture, packageZip, querySql, tamperSql } from '../engine/admin/fixture.js'
import { git } from '../helpers/git.js'
import { functionForm, startServer } from '../helpers/server.js'
import { runTagstone } from '../helpers/tagstone-process.js'

interface FsckJson {
  clean: boolean
  repair: boolean
  checked: number
  problems: Array<{ function: string; version?: number; what: string; expected: string | null; found: string | null }>
  repaired: Array<{ what: string }>
  refused: Array<{ problem: { what: string; version?: number }; why: string }>
  remaining: Array<{ what: string }>
}

const fsckJson = async (dataDir: string, ...extra: string[]) => {
  const run = await runTagstone(['admin', 'fsck', '--json', '--data', dataDir, ...extra])
  return { code: run.code, stderr: run.stderr, report: JSON.parse(run.stdout) as FsckJson }
}

t.test('tagstone admin fsck: exit 0 clean, 1 with problems; --repair then 0 when all were repairable', async (t) => {
  const f = await buildFixture(t.testdir())
  const clean = await fsckJson(f.dataDir)
  t.equal(clean.code, 0)
  t.match(clean.report, { clean: true, repair: false, checked: 1, problems: [] })

  const [v1, v2] = querySql<{ tag_oid: string }>(f.dataDir, `SELECT tag_oid FROM versions ORDER BY version_number`)
  await git(f.gitdir, 'update-ref', 'refs/tags/v1', v2!.tag_oid)
  tamperSql(f.dataDir, `UPDATE functions SET version_counter = 0`)
  const found = await fsckJson(f.dataDir)
  t.equal(found.code, 1)
  t.equal(found.report.clean, false)
  t.same(found.report.problems.map((p) => p.what).sort(), ['counter-low', 'tag-moved'])
  t.match(
    found.report.problems.find((p) => p.what === 'tag-moved'),
    { function: f.functionId, version: 1, expected: v1!.tag_oid, found: v2!.tag_oid },
  )

  const repaired = await fsckJson(f.dataDir, '--repair')
  t.equal(repaired.code, 0, 'everything left is clean')
  t.same(repaired.report.repaired.map((p) => p.what).sort(), ['counter-low', 'tag-moved'])
  t.same(repaired.report.remaining, [])
  t.equal((await fsckJson(f.dataDir)).code, 0)
})

t.test('tagstone admin fsck --repair exits 1 and says why when it must refuse', async (t) => {
  const f = await buildFixture(t.testdir())
  tamperSql(f.dataDir, `DELETE FROM versions WHERE version_number = 1`)
  await git(f.gitdir, 'update-ref', '-d', 'refs/tags/v2')
  const repaired = await fsckJson(f.dataDir, '--repair')
  t.equal(repaired.code, 1)
  t.same(
    repaired.report.repaired.map((p) => p.what),
    ['tag-missing'],
  )
  t.match(repaired.report.refused, [{ problem: { what: 'tag-without-row', version: 1 }, why: /backup/ }])
  t.same(
    repaired.report.remaining.map((p) => p.what),
    ['tag-without-row'],
  )

  const text = await runTagstone(['admin', 'fsck', '--data', f.dataDir])
  t.equal(text.code, 1)
  t.match(text.stdout, /1 problem\(s\) found/)
  t.match(text.stdout, new RegExp(`${f.functionId} v1 refs/tags/v1: a tag has no version row`))
})

t.test('tagstone admin fsck: usage errors and a missing store exit 2', async (t) => {
  const dir = t.testdir()
  const missing = await runTagstone(['admin', 'fsck', '--data', dir])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /No tagstone data/)
  const bad = await runTagstone(['admin', 'fsck', '--bogus'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /usage: tagstone admin fsck/)
  const env = await runTagstone(['admin', 'fsck', '--json'], {
    env: { ...process.env, TAGSTONE_DATA: (await buildFixture(t.testdir())).dataDir },
  })
  t.equal(env.code, 0, 'TAGSTONE_DATA names the store when --data is not given')
})

t.test('tagstone admin fsck beside a busy running server: clean, and the server never stalls', async (t) => {
  const dataDir = t.testdir()
  const server = await startServer({ dataDir })
  t.teardown(() => server.close())
  const created = await fetch(`${server.url}/v1/functions`, { method: 'POST', body: functionForm(packageZip(0)) })
  const { id } = (await created.json()) as { id: string }
  let busy = true
  const statuses: number[] = []
  const slowest = { ms: 0 }
  const traffic = (async () => {
    for (let i = 1; busy && i < 10_000; i++) {
      const form = new FormData()
      form.append('package', new Blob([new Uint8Array(packageZip(i))]), 'package.zip')
      const began = Date.now()
      statuses.push((await fetch(`${server.url}/v1/functions/${id}`, { method: 'PUT', body: form })).status)
      statuses.push((await fetch(`${server.url}/v1/functions/${id}/versions`, { method: 'POST' })).status)
      if (i % 3 === 0)
        statuses.push((await fetch(`${server.url}/v1/functions/${id}/versions/${i - 1}`, { method: 'DELETE' })).status)
      slowest.ms = Math.max(slowest.ms, Date.now() - began)
    }
  })()
  const checks = []
  for (let i = 0; i < 3; i++) checks.push(await runTagstone(['admin', 'fsck', '--json', '--data', dataDir]))
  busy = false
  await traffic
  for (const check of checks) {
    t.equal(check.code, 0, check.stdout + check.stderr)
    t.match(JSON.parse(check.stdout), { clean: true, checked: 1 })
  }
  t.notOk(
    statuses.some((s) => s >= 500),
    'never a 5xx',
  )
  t.ok(statuses.filter((s) => s === 201).length >= 3, `versions were made meanwhile (${statuses.length} calls)`)
  t.ok(slowest.ms < 5000, `no call waited on fsck (slowest ${slowest.ms} ms)`)
})
