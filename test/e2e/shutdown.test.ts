import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import Database from 'better-sqlite3'
import t from 'tap'

import { startServe } from '../helpers/tagstone-process.js'
import { makeZip } from '../helpers/zip.js'

/**
 * The serve process as an operator's orchestrator sees it: probes without a
 * token, and SIGTERM while an upload is still arriving lets it finish, closes
 * the store cleanly and exits 0.
 */

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })

/** A multipart function create written to a raw socket in pieces, so it is still in flight when we want it to be. */
function slowUpload(url: string, token: string) {
  const { hostname, port } = new URL(url)
  const boundary = 'tagstone-slow-upload'
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const head = Buffer.from(
    field('name', 'slow') +
      field('runtime_id', 'python3') +
      field('code', '{"source": "package"}') +
      `--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="p.zip"\r\n` +
      'Content-Type: application/zip\r\n\r\n',
  )
  const zip = makeZip([{ name: 'main.py', content: 'def main():\n  return 1\n' }])
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const body = Buffer.concat([head, zip, tail])
  const socket = connect(Number(port), hostname)
  let answer = ''
  socket.on('data', (d: Buffer) => (answer += d.toString()))
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)))
  const started = new Promise<void>((resolve) =>
    socket.once('connect', () => {
      socket.write(
        `POST /v1/functions HTTP/1.1\r\nHost: ${hostname}:${port}\r\nX-Auth-Token: ${token}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n` +
          'Connection: close\r\n\r\n',
      )
      socket.write(body.subarray(0, head.length + 10))
      resolve()
    }),
  )
  return {
    started,
    closed,
    finish: () => socket.write(body.subarray(head.length + 10)),
  }
}

t.test('probes need no token; SIGTERM lets a slow upload finish, closes the store and exits 0', async (t) => {
  const dataDir = t.testdir()
  let server = await startServe(['--data', dataDir])
  t.teardown(() => server.stop())
  const tokenFile = /wrote an admin token for project default to (\S+)"/.exec(server.output())![1]!
  const adminToken = readFileSync(tokenFile, 'utf8').trim()

  const healthz = await fetch(`${server.url}/healthz`)
  t.equal(healthz.status, 200)
  t.same(await healthz.json(), { status: 'ok' })
  const readyz = await fetch(`${server.url}/readyz`)
  t.equal(readyz.status, 200)
  t.same(await readyz.json(), { status: 'ok' })
  const root = await fetch(`${server.url}/`)
  t.equal(root.status, 200)
  t.same(await root.json(), {
    versions: [{ id: 'v1.0', status: 'CURRENT', links: [{ href: `${server.url}/v1/`, rel: 'self' }] }],
  })

  const upload = slowUpload(server.url, adminToken)
  await upload.started
  await sleep(200)
  const exited = exitOf(server.child)
  server.child.kill('SIGTERM')
  // The rest of the body arrives after the signal: the stop has to wait for it.
  await sleep(200)
  upload.finish()
  const answer = await upload.closed
  t.match(answer, /^HTTP\/1\.1 201 /, `the upload in flight finished: ${answer.split('\r\n')[0]}`)
  t.equal(await exited, 0, 'exit 0')
  t.match(server.output(), /SIGTERM: stopping/)
  t.match(server.output(), /store closed cleanly/)

  t.notOk(existsSync(join(dataDir, 'tagstone.db-wal')), 'no WAL left behind')
  const db = new Database(join(dataDir, 'tagstone.db'), { readonly: true })
  t.equal((db.prepare('SELECT count(*) AS n FROM operations').get() as { n: number }).n, 0, 'nothing to recover')
  t.equal((db.prepare("SELECT count(*) AS n FROM functions WHERE name = 'slow'").get() as { n: number }).n, 1)
  db.close()

  server = await startServe(['--data', dataDir])
  t.equal((await fetch(`${server.url}/readyz`)).status, 200, 'a restart is ready at once')
})
