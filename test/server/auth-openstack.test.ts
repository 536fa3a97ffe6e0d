import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import t from 'tap'

import { tokenAuthenticate } from '../../server/token-auth.js'
import { type RunningServer, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** The real openstack client against the server, with the token given. */
function openstack(url: string, token: string, ...args: string[]): Promise<Run> {
  const auth = ['--os-auth-type', 'admin_token', '--os-endpoint', url, '--os-token', token]
  return new Promise((resolve) => {
    execFile('openstack', [...auth, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

t.test(
  'the openstack client with tokens: a member works in its project, and sees the 401 and 404 faultstrings',
  async (t) => {
    const server: RunningServer = await startServer({
      dataDir: t.testdir(),
      authenticate: (request) => tokenAuthenticate(server.engine.tokens)(request),
    })
    t.teardown(() => server.close())
    const alpha = server.engine.tokens.createToken({ projectId: 'alpha' }).token
    const beta = server.engine.tokens.createToken({ projectId: 'beta' }).token
    const pkg = join(t.testdirName, 'hello.zip')
    writeFileSync(pkg, makeZip([{ name: 'main.py', content: 'def main():\n  return 1\n' }]))

    // The client looks a runtime up by name unless it is a UUID; tagstone keeps runtime ids as given.
    const created = await openstack(
      server.url,
      alpha,
      'function',
      'create',
      '--name',
      'hello',
      '--runtime',
      randomUUID(),
      '--package',
      pkg,
      '-f',
      'json',
    )
    t.equal(created.code, 0, created.stderr)
    const fn = JSON.parse(created.stdout) as { id: string; project_id: string }
    t.equal(fn.project_id, 'alpha')

    const listed = await openstack(server.url, alpha, 'function', 'list', '-f', 'json')
    t.equal(listed.code, 0, listed.stderr)
    t.same(
      (JSON.parse(listed.stdout) as Array<{ Id: string }>).map((f) => f.Id),
      [fn.id],
    )
    const betaList = await openstack(server.url, beta, 'function', 'list', '-f', 'json')
    t.same(JSON.parse(betaList.stdout), [], "another project's list is empty")

    const bad = await openstack(server.url, 'tgs_not-a-real-token', 'function', 'list')
    t.not(bad.code, 0)
    t.match(bad.stderr, 'Authentication required: send a valid X-Auth-Token header. (HTTP 401)')

    const hidden = await openstack(server.url, beta, 'function', 'show', fn.id)
    t.not(hidden.code, 0)
    t.match(hidden.stderr, `Function ${fn.id} not found. (HTTP 404)`)
  },
)
