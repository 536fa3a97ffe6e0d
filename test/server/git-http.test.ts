import { lstat, readFile, readlink, stat } from 'node:fs/promises'
import path from 'node:path'
import zlib from 'node:zlib'

import Fastify from 'fastify'
import t from 'tap'

import { encodePktLine, FLUSH_PKT } from '../../repos/smart-http/pkt-line.js'
import { gitRoutes } from '../../server/routes/git.js'
import {
  addVersion,
  type Fixture,
  FUNCTION_ID,
  git,
  type GitServer,
  makeFixture,
  OTHER_ID,
  runGit,
  serveRepositories,
  testDir,
} from '../repos/smart-http/fixture.js'

const READ_ONLY = /tagstone repositories are read-only: versions are made through the REST API/

async function clone(server: GitServer, id: string, into: string, args: string[] = []): Promise<string> {
  await git(['clone', '-q', ...args, server.url(id), into], { cwd: path.dirname(into) })
  return into
}

async function looseObjectCount(repo: string): Promise<number> {
  const out = await git(['count-objects', '-v'], { cwd: repo })
  return Number(/^count: (\d+)$/m.exec(out)?.[1])
}

/** The type of a subtest's `t`, as tap hands it to a test callback. */
type Subtest = Parameters<Parameters<typeof t.test>[0]>[0]

async function checkClone(t: Subtest, fixture: Fixture, work: string): Promise<void> {
  t.equal(await git(['rev-parse', 'HEAD'], { cwd: work }), fixture.commits[2], 'main is checked out at its tip')
  t.equal(await git(['rev-list', '--count', 'HEAD'], { cwd: work }), '3', 'full history')
  t.same((await git(['tag'], { cwd: work })).split('\n'), ['v1', 'v3'])
  t.equal(await git(['cat-file', '-t', 'v1'], { cwd: work }), 'tag', 'v1 is an annotated tag')
  t.equal(await git(['show', 'v1:main.py'], { cwd: work }), 'def main():\n    return "v1"')
  t.equal(await readFile(path.join(work, 'main.py'), 'utf8'), fixture.files['main.py'])
  t.ok(((await stat(path.join(work, 'run.sh'))).mode & 0o111) !== 0, 'the executable bit is kept')
  t.ok((await lstat(path.join(work, 'entry.py'))).isSymbolicLink(), 'the symlink is a symlink')
  t.equal(await readlink(path.join(work, 'entry.py')), 'main.py')
  const fsck = await runGit(['fsck', '--strict'], { cwd: work })
  t.equal(fsck.code, 0, 'git fsck is clean')
  t.equal(fsck.stdout.trim(), '')
  const archive = await runGit(['cat-file', '-e', fixture.archiveBlob], { cwd: work })
  t.not(archive.code, 0, 'the hidden archive blob did not travel')
}

t.test('git clone over protocol v2 (falling back to v0) and v0, loose and packed', async (t) => {
  const dir = testDir(t)
  const loose = await makeFixture(path.join(dir, 'loose'))
  const packed = await makeFixture(path.join(dir, 'packed'), { packed: true })
  const server = await serveRepositories({ [FUNCTION_ID]: loose.gitdir, [OTHER_ID]: packed.gitdir })
  t.teardown(server.close)
  await checkClone(t, loose, await clone(server, FUNCTION_ID, path.join(dir, 'c-default')))
  await checkClone(t, packed, await clone(server, OTHER_ID, path.join(dir, 'c-v0'), ['-c', 'protocol.version=0']))
  const trace = await runGit(['ls-remote', server.url(FUNCTION_ID)], { cwd: dir, env: { GIT_TRACE_PACKET: '1' } })
  t.match(trace.stderr, /agent=tagstone\/0\.1/, 'the v0 advertisement answered a v2 request')
})

t.test('fetch brings only the new objects, new tags, and prunes deleted ones', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const server = await serveRepositories({ [FUNCTION_ID]: fixture.gitdir })
  t.teardown(server.close)
  const work = await clone(server, FUNCTION_ID, path.join(dir, 'c'))
  await git(['config', 'fetch.unpackLimit', '1000000'], { cwd: work }) // every received object becomes a loose one
  const before = await looseObjectCount(work)
  await addVersion(fixture, 'v4', 2)
  await git(['fetch', '-q', '--tags'], { cwd: work })
  t.equal((await looseObjectCount(work)) - before, 7, 'two commits, two trees, two blobs and one tag: nothing else')
  t.equal(
    await git(['rev-parse', 'origin/main'], { cwd: work }),
    await git(['rev-parse', 'main'], { cwd: fixture.gitdir }),
  )
  t.equal(await git(['cat-file', '-t', 'v4'], { cwd: work }), 'tag')

  await git(['update-ref', '-d', 'refs/tags/v3'], { cwd: fixture.gitdir })
  await git(['fetch', '-q', '--prune', '--prune-tags'], { cwd: work })
  t.same((await git(['tag'], { cwd: work })).split('\n'), ['v1', 'v4'], 'the deleted version is gone')
  const again = await looseObjectCount(work)
  await git(['fetch', '-q', '--tags'], { cwd: work })
  t.equal(await looseObjectCount(work), again, 'an up-to-date fetch receives nothing')
  t.equal((await runGit(['fsck'], { cwd: work })).code, 0)
})

t.test('a clone with many commits of its own negotiates over several rounds and gets only what is new', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const server = await serveRepositories({ [FUNCTION_ID]: fixture.gitdir })
  t.teardown(server.close)
  const work = await clone(server, FUNCTION_ID, path.join(dir, 'c'))
  await git(['config', 'fetch.unpackLimit', '1000000'], { cwd: work })
  // 40 local commits the server never saw: git sends them as haves, 16 and then 32 a round.
  const stream =
    Array.from({ length: 40 }, (_, i) =>
      [
        'commit refs/heads/main',
        `committer L <l@example.invalid> ${1_800_000_000 + i} +0000`,
        'data 5',
        `local${i === 0 ? '\nfrom refs/heads/main^0' : ''}`,
      ].join('\n'),
    ).join('\n') + '\n'
  await git(['fast-import', '--quiet'], { cwd: work, input: stream })
  const before = await looseObjectCount(work)
  await addVersion(fixture, 'v4')
  const trace = await runGit(['fetch', '--tags'], { cwd: work, env: { GIT_TRACE_PACKET: '1' } })
  t.equal(trace.code, 0)
  t.ok((trace.stderr.match(/fetch-pack> have /g) ?? []).length > 16, 'more haves than fit one round')
  t.match(trace.stderr, /fetch-pack< ACK [0-9a-f]{40} common/)
  t.equal((await looseObjectCount(work)) - before, 4, 'a commit, a tree, a blob and the tag')
  t.equal((await runGit(['fsck'], { cwd: work })).code, 0)
})

t.test('a repository of 2,000 files and 50 tags clones whole', async (t) => {
  const dir = testDir(t)
  const gitdir = path.join(dir, 'big.git')
  await git(['init', '-q', '--bare', '-b', 'main', gitdir], { cwd: dir })
  await git(['fast-import', '--quiet'], { cwd: gitdir, input: fastImportStream(2000, 50) })
  const server = await serveRepositories({ [FUNCTION_ID]: gitdir })
  t.teardown(server.close)
  const work = await clone(server, FUNCTION_ID, path.join(dir, 'c'))
  t.equal((await git(['ls-files'], { cwd: work })).split('\n').length, 2000)
  t.equal((await git(['tag'], { cwd: work })).split('\n').length, 50)
  t.equal(await git(['rev-list', '--count', 'HEAD'], { cwd: work }), '50')
  t.equal(await git(['cat-file', '-t', 'v50'], { cwd: work }), 'tag')
  t.equal((await runGit(['fsck'], { cwd: work })).code, 0)
})

t.test('eight clones at once all succeed', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const server = await serveRepositories({ [FUNCTION_ID]: fixture.gitdir })
  t.teardown(server.close)
  const heads = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const work = await clone(server, FUNCTION_ID, path.join(dir, `c${i}`))
      return await git(['rev-parse', 'HEAD', 'v1^{commit}', 'v3'], { cwd: work })
    }),
  )
  t.equal(new Set(heads).size, 1, 'all eight clones are identical')
})

t.test('push is refused with a message saying how versions are made', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const server = await serveRepositories({ [FUNCTION_ID]: fixture.gitdir })
  t.teardown(server.close)
  const work = await clone(server, FUNCTION_ID, path.join(dir, 'c'))
  await git(['commit', '-q', '--allow-empty', '-m', 'local'], { cwd: work })
  const push = await runGit(['push', 'origin', 'main'], { cwd: work })
  t.not(push.code, 0)
  t.match(push.stderr, READ_ONLY)
  const post = await fetch(`${server.url(FUNCTION_ID)}/git-receive-pack`, { method: 'POST', body: '0000' })
  t.equal(post.status, 403)
  t.match(await post.text(), READ_ONLY)
})

t.test('authentication, unknown repositories and client garbage get 4xx, never 500', async (t) => {
  const dir = testDir(t)
  const fixture = await makeFixture(path.join(dir, 'f'))
  const server = await serveRepositories({ [FUNCTION_ID]: fixture.gitdir }, { requireAuth: true })
  t.teardown(server.close)
  const auth = { authorization: `Basic ${Buffer.from('git:token').toString('base64')}` }
  const refsUrl = `${server.url(FUNCTION_ID)}/info/refs?service=git-upload-pack`
  const packUrl = `${server.url(FUNCTION_ID)}/git-upload-pack`
  const packType = { 'content-type': 'application/x-git-upload-pack-request' }

  const anonymous = await fetch(refsUrl)
  t.equal(anonymous.status, 401)
  t.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="tagstone"')
  const noCredentials = await runGit(['ls-remote', server.url(FUNCTION_ID)], { cwd: dir })
  t.not(noCredentials.code, 0, 'git without credentials fails (prompts are disabled)')
  const withCredentials = server.url(FUNCTION_ID).replace('http://', 'http://git:token@')
  t.equal((await runGit(['ls-remote', withCredentials], { cwd: dir })).code, 0, 'with credentials it works')

  const advertised = await fetch(refsUrl, { headers: auth })
  t.equal(advertised.status, 200)
  t.equal(advertised.headers.get('content-type'), 'application/x-git-upload-pack-advertisement')
  t.equal(advertised.headers.get('cache-control'), 'no-cache')

  const statusOf = async (url: string, init: RequestInit = {}): Promise<[number, string]> => {
    const response = await fetch(url, {
      ...init,
      headers: { ...auth, ...(init.headers as Record<string, string> | undefined) },
    })
    return [response.status, await response.text()]
  }
  t.same(await statusOf(`${server.base}/git/not-a-uuid.git/info/refs?service=git-upload-pack`), [
    404,
    'Repository not found.\n',
  ])
  t.equal(
    (await statusOf(`${server.base}/git/${FUNCTION_ID}/info/refs?service=git-upload-pack`))[0],
    404,
    '.git is required',
  )
  t.same(await statusOf(`${server.url(OTHER_ID)}/info/refs?service=git-upload-pack`), [404, 'Function not found.\n'])
  t.match(await statusOf(`${server.url(FUNCTION_ID)}/info/refs?service=git-receive-pack`), [403, READ_ONLY])
  t.match(await statusOf(`${server.url(FUNCTION_ID)}/info/refs`), [400, /smart HTTP/])

  const garbage: Array<[string, Buffer | string, Record<string, string>]> = [
    ['random bytes', Buffer.from('\x00\xff garbage that is not pkt-lines'), packType],
    ['an http request', 'GET / HTTP/1.1\r\n\r\n', packType],
    ['a truncated pkt-line', '0032want 1234', packType],
    ['wants without a flush', encodePktLine(`want ${'a'.repeat(40)}\n`), packType],
    ['an empty body', '', packType],
    ['a wrong media type', '0000', { 'content-type': 'application/json' }],
    ['no media type', Buffer.from('0000'), {}],
    ['bad gzip', Buffer.from('not gzip at all'), { ...packType, 'content-encoding': 'gzip' }],
    ['an unknown encoding', '0000', { ...packType, 'content-encoding': 'br' }],
    [
      'a shallow request',
      Buffer.concat([encodePktLine(`want ${fixture.commits[2] ?? ''}\n`), encodePktLine('deepen 1\n'), FLUSH_PKT]),
      packType,
    ],
  ]
  for (const [what, body, headers] of garbage) {
    const [status, text] = await statusOf(packUrl, {
      method: 'POST',
      body: typeof body === 'string' ? body : new Uint8Array(body),
      headers,
    })
    t.equal(status, 400, `${what}: 400 (${text.trim()})`)
  }

  const main = fixture.commits[2] ?? ''
  const request = Buffer.concat([encodePktLine(`want ${main} side-band-64k\n`), FLUSH_PKT, encodePktLine('done\n')])
  const gzipped = await fetch(packUrl, {
    method: 'POST',
    body: new Uint8Array(zlib.gzipSync(request)),
    headers: { ...auth, ...packType, 'content-encoding': 'gzip' },
  })
  t.equal(gzipped.status, 200, 'a gzip body is accepted')
  t.equal(gzipped.headers.get('content-type'), 'application/x-git-upload-pack-result')
  t.match(Buffer.from(await gzipped.arrayBuffer()).toString('latin1'), /^0008NAK\n.*\x01PACK/s)
  const stranger = Buffer.concat([
    encodePktLine(`want ${fixture.archiveBlob} side-band-64k\n`),
    FLUSH_PKT,
    encodePktLine('done\n'),
  ])
  t.match(await statusOf(packUrl, { method: 'POST', body: new Uint8Array(stranger), headers: packType }), [
    200,
    /ERR upload-pack: not our ref/,
  ])
})

t.test('the raw body parser and error handler stay inside the git plugin', async (t) => {
  const app = Fastify()
  app.post('/echo', async (request) => ({ got: request.body }))
  await app.register(gitRoutes, {
    authorizeGit: async () => {
      throw Object.assign(new Error('nope'), { code: 'FORBIDDEN' })
    },
  })
  t.teardown(async () => {
    await app.close()
  })
  const echo = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } })
  t.same(echo.json(), { got: { a: 1 } }, 'JSON is still parsed outside /git')
  const forbidden = await app.inject({
    method: 'GET',
    url: `/git/${FUNCTION_ID}.git/info/refs?service=git-upload-pack`,
  })
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.headers['content-type'], 'text/plain; charset=utf-8')
  t.equal(forbidden.body, 'nope\n')
})

/** A fast-import stream: `files` files in the first commit, then a few changed per commit, each commit tagged. */
function fastImportStream(files: number, commits: number): string {
  const out: string[] = []
  for (let c = 1; c <= commits; c++) {
    out.push(
      'commit refs/heads/main',
      `mark :${c}`,
      `committer F <f@example.invalid> ${1_700_000_000 + c} +0000`,
      'data 9',
      `commit ${String(c).padStart(2, '0')}`,
    )
    if (c > 1) out.push(`from :${c - 1}`)
    const changed = c === 1 ? Array.from({ length: files }, (_, i) => i) : [c, c * 7, c * 13].map((i) => i % files)
    for (const i of changed) {
      const text = `file ${i} in commit ${c}\n`
      out.push(`M 100644 inline dir${i % 20}/file${i}.txt`, `data ${Buffer.byteLength(text)}`, text)
    }
    out.push(`tag v${c}`, `from :${c}`, `tagger F <f@example.invalid> ${1_700_000_000 + c} +0000`, 'data 7', 'version')
  }
  return out.join('\n') + '\n'
}
