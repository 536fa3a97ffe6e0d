import { createHash, randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import t from 'tap'

import { databasePath } from '../../engine/engine.js'
import { openDatabase } from '../../engine/store/open-database.js'
import { PACK_FROM_FILES } from '../../repos/write-package-commit.js'
import { git } from '../helpers/git.js'
import { functionForm } from '../helpers/server.js'
import { runTagstone, type ServeProcess, startServe } from '../helpers/tagstone-process.js'
import { makeZip } from '../helpers/zip.js'

/**
 * The real server as a child process, killed with SIGKILL at random moments
 * while clients upload packages, create, delete and restore versions, and
 * restarted on the same data directory each time; after each restart every
 * function must serve the package it records. Afterwards every acknowledged version must
 * be there byte for byte, no number may have been handed out twice, and fsck
 * and `git fsck` must find nothing wrong.
 */

/** 20 in the test suite; `npm run soak` asks for 200 through TAGSTONE_CRASH_KILLS. */
const KILLS = Number(process.env.TAGSTONE_CRASH_KILLS ?? 20)
/** Traffic the run waits for before it stops killing: the proof needs some of each kind of write. */
const ENOUGH = 5
/** A guard, not the plan: the work normally takes a fraction of it. A slow machine stops here and reports. */
const BUDGET_MS = Math.max(200_000, KILLS * 10_000)
const FUNCTIONS = 2
const WORKERS_PER_FUNCTION = 2

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex')

interface Acked {
  id: string
  md5: string
  /** 'live' until a 204 for its delete; 'unsure' when a delete was cut off by a kill. */
  state: 'live' | 'deleted' | 'unsure'
}

/**
 * Compares the audit log with the changes it describes, in one read
 * transaction: each event is written in the transaction that makes its change,
 * so at every moment, whatever was cut off, a version was made iff its
 * `version.create` event exists, deleted (after being made) iff its
 * `version.delete` does, and a package uploaded (after the function's first)
 * iff its `function.update` does. Returns what differs.
 */
function eventsAgainstChanges(dataDir: string): string[] {
  const db = openDatabase(databasePath(dataDir), { readonly: true })
  try {
    return db.transaction(() => {
      const keys = (sql: string) => (db.prepare(sql).all() as Array<{ k: string }>).map((r) => r.k).sort()
      const pairs: Array<[string, string, string]> = [
        [
          'version.create',
          `SELECT function_id || '/' || version AS k FROM events WHERE action = 'version.create'`,
          `SELECT function_id || '/' || version_number AS k FROM versions WHERE tag_oid IS NOT NULL`,
        ],
        [
          'version.delete',
          `SELECT function_id || '/' || version AS k FROM events WHERE action = 'version.delete'`,
          `SELECT function_id || '/' || version_number AS k FROM versions WHERE tag_oid IS NOT NULL AND state = 'deleted'`,
        ],
        [
          // A restore is a new commit too: each package with a parent is one upload or one restore.
          'function.update or function.restore',
          `SELECT function_id || '/' || json_extract(details, '$.commit') AS k FROM events
            WHERE action IN ('function.update', 'function.restore')`,
          `SELECT function_id || '/' || commit_oid AS k FROM packages WHERE parent_commit IS NOT NULL`,
        ],
      ]
      const problems: string[] = []
      for (const [action, events, changes] of pairs) {
        const e = keys(events)
        const c = keys(changes)
        if (e.length !== new Set(e).size) problems.push(`${action}: an event twice`)
        const missing = c.filter((k) => !e.includes(k))
        const extra = e.filter((k) => !c.includes(k))
        if (missing.length) problems.push(`${action}: changes without an event: ${missing.join(', ')}`)
        if (extra.length) problems.push(`${action}: events without a change: ${extra.join(', ')}`)
      }
      return problems
    })()
  } finally {
    db.close()
  }
}

class Ledger {
  /** Every zip ever sent, by md5. */
  readonly zips = new Map<string, Buffer>()
  /** `${function}/${number}` -> the version a 201 acknowledged. */
  readonly acked = new Map<string, Acked>()
  /** `${function}/${number}` -> every version id seen with that number (201s and listings). */
  readonly idsSeen = new Map<string, Set<string>>()
  readonly serverErrors: string[] = []
  /** `${function}/${md5}` of every upload a 200 acknowledged. */
  readonly uploads = new Set<string>()
  /** What the audit log got wrong, checked after every restart. */
  readonly eventProblems: string[] = []
  readonly duplicates: string[] = []
  counts = { uploads: 0, creates: 0, deletes: 0, restores: 0, cutOff: 0 }
  readonly halfRestores: string[] = []

  sawId(fid: string, n: number, id: string): void {
    const key = `${fid}/${n}`
    const ids = this.idsSeen.get(key) ?? new Set<string>()
    ids.add(id)
    this.idsSeen.set(key, ids)
  }
}

function packageZip(fid: string, ledger: Ledger): Buffer {
  // Enough files that writing the commit takes a while: kills land inside it too. Every third
  // package has enough to be written as a pack (PackedObjectWriter), so kills land in that too.
  const count = ledger.zips.size % 3 === 2 ? PACK_FROM_FILES + 6 : 12
  const files = Array.from({ length: count }, (_, i) => ({
    name: `src/m${i}.py`,
    content: `# ${fid}\nV = '${randomBytes(24).toString('hex')}'\n`,
  }))
  const zip = makeZip([{ name: 'main.py', content: 'def main():\n  return 1\n' }, ...files])
  ledger.zips.set(md5(zip), zip)
  return zip
}

function packageForm(zip: Buffer): FormData {
  const form = new FormData()
  form.append('package', new Blob([new Uint8Array(zip)]), 'package.zip')
  return form
}

/** A function whose download is not its recorded md5, or not a zip ever sent, is a half-done upload or restore. */
async function checkCurrent(at: ServeProcess, fid: string, ledger: Ledger): Promise<void> {
  const shown = (await (await fetch(`${at.url}/v1/functions/${fid}`)).json()) as { code: string }
  const recorded = (JSON.parse(shown.code) as { md5sum: string }).md5sum
  const bytes = Buffer.from(await (await fetch(`${at.url}/v1/functions/${fid}?download=true`)).arrayBuffer())
  if (md5(bytes) !== recorded || !ledger.zips.get(recorded)?.equals(bytes))
    ledger.halfRestores.push(`${fid}: shows ${recorded}, serves ${md5(bytes)}`)
}

t.test('kill -9 at random moments loses no acknowledged version and reuses no number', async (t) => {
  const dataDir = t.testdir()
  const args = ['--data', dataDir, '--no-auth']
  let server: ServeProcess | null = await startServe(args)
  t.teardown(async () => {
    server?.child.kill('SIGKILL')
    await server?.stop()
  })
  const ledger = new Ledger()
  const started = Date.now()

  const fids: string[] = []
  for (let i = 0; i < FUNCTIONS; i++) {
    const zip = packageZip(`f${i}`, ledger)
    const reply = await fetch(`${server.url}/v1/functions`, {
      method: 'POST',
      body: functionForm(zip, { name: `crash-${i}` }),
    })
    t.equal(reply.status, 201)
    fids.push(((await reply.json()) as { id: string }).id)
  }

  let stopping = false
  const call = async (method: string, path: string, init: RequestInit = {}): Promise<Response | null> => {
    const at = server
    if (!at) return null
    try {
      return await fetch(`${at.url}${path}`, { method, ...init, signal: AbortSignal.timeout(15_000) })
    } catch {
      ledger.counts.cutOff++
      return null
    }
  }

  const worker = async (fid: string) => {
    while (!stopping) {
      if (!server) {
        await sleep(10)
        continue
      }
      const roll = Math.random()
      if (roll < 0.4) {
        const zip = packageZip(fid, ledger)
        const reply = await call('PUT', `/v1/functions/${fid}`, { body: packageForm(zip) })
        if (reply?.status === 200) {
          ledger.counts.uploads++
          ledger.uploads.add(`${fid}/${md5(zip)}`)
        } else if (reply && reply.status >= 500) ledger.serverErrors.push(`PUT ${reply.status} ${await reply.text()}`)
      } else if (roll < 0.8) {
        const reply = await call('POST', `/v1/functions/${fid}/versions`, {
          headers: { 'content-type': 'application/json' },
          body: '{"description": "crash loop"}',
        })
        if (!reply) continue
        const body = (await reply.json().catch(() => ({}))) as { id?: string; version_number?: number; md5sum?: string }
        if (reply.status === 201) {
          ledger.counts.creates++
          const key = `${fid}/${body.version_number}`
          if (ledger.acked.has(key)) ledger.duplicates.push(`${key} acknowledged twice`)
          ledger.acked.set(key, { id: body.id!, md5: body.md5sum!, state: 'live' })
          ledger.sawId(fid, body.version_number!, body.id!)
        } else if (reply.status >= 500) ledger.serverErrors.push(`POST version ${reply.status} ${JSON.stringify(body)}`)
      } else if (roll < 0.87) {
        const live = [...ledger.acked].filter(([key, v]) => key.startsWith(`${fid}/`) && v.state === 'live')
        const picked = live[Math.floor(Math.random() * live.length)]
        if (!picked) continue
        const reply = await call('POST', `/v1/functions/${fid}/versions/${picked[0].slice(fid.length + 1)}/restore`)
        if (reply?.status === 200) ledger.counts.restores++
        else if (reply && reply.status >= 500) ledger.serverErrors.push(`restore ${reply.status} ${await reply.text()}`)
      } else if (roll < 0.95) {
        const live = [...ledger.acked].filter(([key, v]) => key.startsWith(`${fid}/`) && v.state === 'live')
        const picked = live[Math.floor(Math.random() * live.length)]
        if (!picked) continue
        const [key, version] = picked
        const reply = await call('DELETE', `/v1/functions/${key}`.replace(`${fid}/`, `${fid}/versions/`))
        if (reply?.status === 204) {
          version.state = 'deleted'
          ledger.counts.deletes++
        } else if (!reply) version.state = 'unsure'
        else if (reply.status >= 500) ledger.serverErrors.push(`DELETE ${reply.status} ${await reply.text()}`)
      } else {
        const reply = await call('GET', `/v1/functions/${fid}/versions`)
        if (reply?.status !== 200) continue
        const body = (await reply.json().catch(() => null)) as {
          function_versions: Array<{ id: string; version_number: number }>
        } | null
        for (const v of body?.function_versions ?? []) ledger.sawId(fid, v.version_number, v.id)
      }
    }
  }
  const workers = fids.flatMap((fid) => Array.from({ length: WORKERS_PER_FUNCTION }, () => worker(fid)))

  let kills = 0
  try {
    const enoughTraffic = () => ledger.counts.creates >= ENOUGH && ledger.counts.uploads >= ENOUGH
    // Bounded by work done (kills and acknowledged writes), not by wall time: a loaded machine just takes longer.
    while ((kills < KILLS || !enoughTraffic()) && Date.now() - started < BUDGET_MS) {
      await sleep(20 + Math.random() * 200)
      const victim: ServeProcess = server!
      server = null
      victim.child.kill('SIGKILL')
      await victim.stop()
      kills++
      // While no server runs (so the check takes none of the clients' time): what the previous start
      // recovered and everything since, up to this kill, unsettled work included.
      ledger.eventProblems.push(...eventsAgainstChanges(dataDir).map((p) => `at kill ${kills}: ${p}`))
      const next = await startServe(args)
      // Before any client is let in: each function serves exactly the package it says it has.
      for (const fid of fids) await checkCurrent(next, fid, ledger)
      server = next
    }
  } finally {
    stopping = true
    await Promise.all(workers)
  }
  t.ok(kills >= 1, `${kills} kills in ${Date.now() - started} ms`)
  t.same(ledger.serverErrors, [], 'never a 5xx')
  t.same(ledger.duplicates, [], 'no number acknowledged twice')
  t.same(ledger.halfRestores, [], 'after every restart, each download is the md5 its function shows')
  // Throughput is reported, never asserted: the correctness checks below hold for whatever traffic there was.
  if (kills < KILLS || ledger.counts.creates < ENOUGH || ledger.counts.uploads < ENOUGH) {
    t.comment(
      `budget of ${BUDGET_MS} ms reached before the planned work: ${kills} kills, ${JSON.stringify(ledger.counts)}`,
    )
  }
  t.comment(`kills ${kills}, ${JSON.stringify(ledger.counts)}, ${ledger.acked.size} versions acknowledged`)

  // The last start recovered whatever the last kill cut off; now check every acknowledgement.
  const live = server!
  for (const fid of fids) {
    const listed = (await (await fetch(`${live.url}/v1/functions/${fid}/versions`)).json()) as {
      function_versions: Array<{ id: string; version_number: number }>
    }
    const numbers = listed.function_versions.map((v) => v.version_number)
    t.equal(new Set(numbers).size, numbers.length, 'no number listed twice')
    for (const v of listed.function_versions) ledger.sawId(fid, v.version_number, v.id)
    for (const [key, acked] of ledger.acked) {
      if (!key.startsWith(`${fid}/`)) continue
      const n = Number(key.slice(fid.length + 1))
      const shown = listed.function_versions.find((v) => v.version_number === n)
      if (acked.state === 'live') {
        if (!t.ok(shown, `acknowledged version ${key} is listed`)) continue
        t.equal(shown!.id, acked.id, `version ${key} is the one acknowledged`)
        const download = await fetch(`${live.url}/v1/functions/${fid}/versions/${n}?download=true`)
        const bytes = Buffer.from(await download.arrayBuffer())
        t.equal(md5(bytes), acked.md5, `version ${key} downloads as acknowledged`)
        t.ok(ledger.zips.get(acked.md5)?.equals(bytes), `version ${key} is byte for byte a zip that was uploaded`)
      } else if (acked.state === 'deleted') {
        t.notOk(shown, `deleted version ${key} stays deleted`)
      }
    }
  }
  const reused = [...ledger.idsSeen].filter(([, ids]) => ids.size > 1).map(([key]) => key)
  t.same(reused, [], 'no number ever named two versions')

  // The audit log: an event iff its change, after every restart; one per acknowledged change.
  t.same(ledger.eventProblems, [], 'at every kill, the events are exactly the changes that happened')
  const log = (
    (await (await fetch(`${live.url}/v1/events?limit=1000`)).json()) as {
      events: Array<{ action: string; function_id: string; version: number | null; details: { md5sum?: string } }>
    }
  ).events
  const logged = (action: string, key: (e: (typeof log)[number]) => string) =>
    log.filter((e) => e.action === action).map(key)
  const count = (xs: string[], x: string) => xs.filter((y) => y === x).length
  const creates = logged('version.create', (e) => `${e.function_id}/${e.version}`)
  const deletes = logged('version.delete', (e) => `${e.function_id}/${e.version}`)
  const uploads = logged('function.update', (e) => `${e.function_id}/${e.details.md5sum}`)
  const notOnce: string[] = []
  for (const [key, acked] of ledger.acked) {
    if (count(creates, key) !== 1) notOnce.push(`create ${key}`)
    if (acked.state === 'deleted' && count(deletes, key) !== 1) notOnce.push(`delete ${key}`)
  }
  for (const key of ledger.uploads) if (count(uploads, key) !== 1) notOnce.push(`upload ${key}`)
  t.same(notOnce, [], 'exactly one event per acknowledged change')
  t.ok(log.length < 1000, `the whole log fits one page (${log.length} events)`)
  t.ok(
    log.every((e) => (e as unknown as { actor: string }).actor === 'no-auth'),
    'every event names the no-auth actor',
  )

  await live.stop()
  server = null
  t.same(eventsAgainstChanges(dataDir), [], 'and after the last start, the events are exactly the changes')
  const check = await runTagstone(['admin', 'fsck', '--json', '--data', dataDir], { timeoutMs: 60_000 })
  t.equal(check.code, 0, check.stdout + check.stderr)
  t.match(JSON.parse(check.stdout), { clean: true, problems: [] })
  const stats = JSON.parse((await runTagstone(['admin', 'stats', '--json', '--data', dataDir])).stdout) as {
    versions: { live: number; deleted: number }
  }
  t.comment(
    `numbers used: ${stats.versions.live + stats.versions.deleted}; acknowledged creates ${ledger.counts.creates}, deletes ${ledger.counts.deletes}: ` +
      `${stats.versions.deleted - ledger.counts.deletes} tombstones are creates or deletes a kill cut off`,
  )
  for (const repo of readdirSync(join(dataDir, 'repos'))) {
    t.equal(await git(join(dataDir, 'repos', repo), 'fsck', '--no-progress', '--no-dangling'), '', `git fsck ${repo}`)
  }
})
