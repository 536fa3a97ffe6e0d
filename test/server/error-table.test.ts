import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'

import t from 'tap'

import { EngineError } from '../../engine/errors.js'
import { RepoError } from '../../repos/errors.js'
import { ERROR_STATUS, FASTIFY_CODES } from '../../server/error-table.js'
import { RequestError, toFault } from '../../server/errors.js'
import { Api } from '../helpers/api.js'
import { gitdirOf } from '../helpers/data-dir.js'
import { startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

/**
 * The statuses the openstack client names (besides 300 and 5xx), and 412: nothing else may be answered.
 * 412 is added on purpose: only a request with If-Match gets it, and the openstack client never sends one.
 */
const CLIENT_STATUSES = new Set([400, 401, 403, 404, 405, 409, 412, 413])
const ROOT = join(import.meta.dirname, '..', '..', '..')

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name))
}

t.test('every code maps to a status the client names', async (t) => {
  for (const [code, status] of Object.entries(ERROR_STATUS)) {
    t.ok(CLIENT_STATUSES.has(status), `${code} -> ${status}`)
  }
  for (const [fastifyCode, ours] of Object.entries(FASTIFY_CODES)) {
    t.ok(Object.hasOwn(ERROR_STATUS, ours), `${fastifyCode} -> ${ours}, a code of the table`)
  }
})

t.test('the statuses the contract fixes', async (t) => {
  t.same(
    {
      INVALID_ID: ERROR_STATUS.INVALID_ID,
      INVALID_FIELD: ERROR_STATUS.INVALID_FIELD,
      PACKAGE_REQUIRED: ERROR_STATUS.PACKAGE_REQUIRED,
      UNSUPPORTED_CODE_SOURCE: ERROR_STATUS.UNSUPPORTED_CODE_SOURCE,
      MD5_MISMATCH: ERROR_STATUS.MD5_MISMATCH,
      CHECKSUM_NOT_CHANGED: ERROR_STATUS.CHECKSUM_NOT_CHANGED,
      ALIAS_VERSION_NOT_FOUND: ERROR_STATUS.ALIAS_VERSION_NOT_FOUND,
      PACKAGE_TOO_LARGE: ERROR_STATUS.PACKAGE_TOO_LARGE,
      UNAUTHENTICATED: ERROR_STATUS.UNAUTHENTICATED,
      TOKEN_EXPIRED: ERROR_STATUS.TOKEN_EXPIRED,
      ADMIN_ONLY: ERROR_STATUS.ADMIN_ONLY,
      VERSION_UNCHANGED: ERROR_STATUS.VERSION_UNCHANGED,
      VERSION_LIMIT: ERROR_STATUS.VERSION_LIMIT,
      FUNCTION_IN_USE: ERROR_STATUS.FUNCTION_IN_USE,
      VERSION_IN_USE: ERROR_STATUS.VERSION_IN_USE,
      FUNCTION_NOT_FOUND: ERROR_STATUS.FUNCTION_NOT_FOUND,
      VERSION_NOT_FOUND: ERROR_STATUS.VERSION_NOT_FOUND,
      ALIAS_NOT_FOUND: ERROR_STATUS.ALIAS_NOT_FOUND,
      ALIAS_EXISTS: ERROR_STATUS.ALIAS_EXISTS,
      PACKAGE_NOT_ZIP: ERROR_STATUS.PACKAGE_NOT_ZIP,
      PACKAGE_CORRUPT: ERROR_STATUS.PACKAGE_CORRUPT,
      PACKAGE_UNSAFE_PATH: ERROR_STATUS.PACKAGE_UNSAFE_PATH,
      PACKAGE_DUPLICATE_ENTRY: ERROR_STATUS.PACKAGE_DUPLICATE_ENTRY,
      UNSUPPORTED_MEDIA_TYPE: ERROR_STATUS.UNSUPPORTED_MEDIA_TYPE,
      INVALID_JSON: ERROR_STATUS.INVALID_JSON,
      PRECONDITION_FAILED: ERROR_STATUS.PRECONDITION_FAILED,
    },
    {
      INVALID_ID: 400,
      INVALID_FIELD: 400,
      PACKAGE_REQUIRED: 400,
      UNSUPPORTED_CODE_SOURCE: 400,
      MD5_MISMATCH: 400,
      CHECKSUM_NOT_CHANGED: 400,
      ALIAS_VERSION_NOT_FOUND: 400,
      PACKAGE_TOO_LARGE: 413,
      UNAUTHENTICATED: 401,
      TOKEN_EXPIRED: 401,
      ADMIN_ONLY: 403,
      VERSION_UNCHANGED: 403,
      VERSION_LIMIT: 403,
      FUNCTION_IN_USE: 403,
      VERSION_IN_USE: 403,
      FUNCTION_NOT_FOUND: 404,
      VERSION_NOT_FOUND: 404,
      ALIAS_NOT_FOUND: 404,
      ALIAS_EXISTS: 409,
      PACKAGE_NOT_ZIP: 400,
      PACKAGE_CORRUPT: 400,
      PACKAGE_UNSAFE_PATH: 400,
      PACKAGE_DUPLICATE_ENTRY: 400,
      UNSUPPORTED_MEDIA_TYPE: 400,
      INVALID_JSON: 400,
      PRECONDITION_FAILED: 412,
    },
  )
  t.equal(
    FASTIFY_CODES.FST_ERR_CTP_INVALID_MEDIA_TYPE,
    'UNSUPPORTED_MEDIA_TYPE',
    'an unsupported media type is 400, never 415',
  )
})

t.test('every code the engine, repos and server throw is in the table', async (t) => {
  // A code missing from the table would reach the client as a 500.
  const thrown = new Map<string, string>()
  const pattern = /new (EngineError|RepoError|RequestError)\(\s*'([A-Z0-9_]+)'/g
  for (const dir of ['engine', 'repos', 'server']) {
    for (const file of await sourceFiles(dir)) {
      for (const match of (await readFile(file, 'utf8')).matchAll(pattern))
        thrown.set(match[2]!, file.slice(ROOT.length + 1))
    }
  }
  t.ok(thrown.size >= 20, `found the codes thrown (${thrown.size})`)
  for (const [code, file] of thrown) t.ok(Object.hasOwn(ERROR_STATUS, code), `${code} (thrown in ${file}) has a status`)
})

t.test('toFault: our errors keep their message and code', async (t) => {
  t.same(toFault(new EngineError('VERSION_UNCHANGED', 'Function package not changed since the latest version 1.')), {
    status: 403,
    body: { faultstring: 'Function package not changed since the latest version 1.', error: 'VERSION_UNCHANGED' },
  })
  t.same(toFault(new RepoError('PACKAGE_NOT_ZIP', 'The package is not a zip archive.')), {
    status: 400,
    body: { faultstring: 'The package is not a zip archive.', error: 'PACKAGE_NOT_ZIP' },
  })
  t.same(toFault(new RequestError('INVALID_JSON', 'bad JSON')), {
    status: 400,
    body: { faultstring: 'bad JSON', error: 'INVALID_JSON' },
  })
  const validation = Object.assign(new Error("body must have required property 'name'"), {
    code: 'FST_ERR_VALIDATION',
    statusCode: 400,
  })
  t.same(toFault(validation), {
    status: 400,
    body: { faultstring: "body must have required property 'name'", error: 'BAD_REQUEST' },
  })
  const media = Object.assign(new Error('Unsupported Media Type: text/plain'), {
    code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    statusCode: 415,
  })
  t.equal(toFault(media).status, 400, "Fastify's 415 becomes 400")
})

t.test('toFault: other 4xx become statuses the client names', async (t) => {
  const withStatus = (statusCode: number) => Object.assign(new Error(`status ${statusCode}`), { statusCode })
  const seen = [400, 401, 403, 404, 405, 406, 409, 411, 413, 414, 415, 416, 422, 429, 431].map((s) => [
    s,
    toFault(withStatus(s)).status,
  ])
  t.same(seen, [
    [400, 400],
    [401, 401],
    [403, 403],
    [404, 404],
    [405, 405],
    [406, 400],
    [409, 409],
    [411, 400],
    [413, 413],
    [414, 400],
    [415, 400],
    [416, 400],
    [422, 400],
    [429, 400],
    [431, 400],
  ])
  t.equal(toFault(withStatus(422)).body.faultstring, 'status 422', 'a client error keeps its message')
})

t.test('toFault hides internals of anything unknown', async (t) => {
  const hidden = { status: 500, body: { faultstring: 'Internal server error.', error: 'INTERNAL' } }
  const enoent = Object.assign(
    new Error("ENOENT: no such file or directory, open '/srv/tagstone/repos/x.git/objects/ab/cd'"),
    { code: 'ENOENT', errno: -2 },
  )
  const unknowns: Array<[string, unknown]> = [
    ['a plain Error', new Error('SQLITE_CORRUPT: database disk image is malformed at /srv/tagstone/tagstone.db')],
    ['a file system error with a path', enoent],
    ['a 502 with a message', Object.assign(new Error('upstream said no'), { statusCode: 502 })],
    ['a 503', Object.assign(new Error('busy'), { statusCode: 503 })],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'head_commit')")],
    ['a string thrown', 'boom at /srv/secret'],
    ['undefined thrown', undefined],
    ['null thrown', null],
    ['a code named like an Object method', Object.assign(new Error('odd'), { code: 'constructor' })],
    ['a code named __proto__', Object.assign(new Error('odd'), { code: '__proto__' })],
  ]
  for (const [what, err] of unknowns) t.same(toFault(err), hidden, what)
})

t.test('a real internal failure reaches the client as a bare 500, nothing leaked', async (t) => {
  const dataDir = t.testdir()
  const server = await startServer({ dataDir })
  t.teardown(() => server.close())
  const fn = await new Api(server.url, t).createFunction(makeZip([{ name: 'main.py', content: 'x' }]))
  // Damage the repository behind the server's back: the archive can no longer be read.
  await rm(join(gitdirOf(dataDir, fn.id), 'objects'), { recursive: true, force: true })
  const reply = await fetch(`${server.url}/v1/functions/${fn.id}?download=true`)
  t.equal(reply.status, 500)
  t.match(reply.headers.get('content-type'), /^application\/json/)
  t.same(await reply.json(), { faultstring: 'Internal server error.', error: 'INTERNAL' })
})
