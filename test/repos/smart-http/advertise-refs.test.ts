import path from 'node:path'

import t from 'tap'

import { GitServer } from '../../../repos/smart-http/git-server.js'
import { parsePktLines, pktLineText } from '../../../repos/smart-http/pkt-line.js'
import { git, makeFixture, testDir } from './fixture.js'

/** One server for the whole file, as a process has one. */
const server = new GitServer()

function lines(body: Buffer): Array<string | null> {
  return parsePktLines(body).map((line) => (line.kind === 'data' ? pktLineText(line.payload) : null))
}

for (const packed of [false, true]) {
  t.test(`advertises HEAD, main and version tags with peeled lines (${packed ? 'packed' : 'loose'})`, async (t) => {
    const fixture = await makeFixture(testDir(t), { packed })
    const body = lines(await server.advertiseRefs(fixture.gitdir))
    t.equal(body[0], '# service=git-upload-pack')
    t.equal(body[1], null, 'flush after the banner')
    t.equal(body[body.length - 1], null, 'flush at the end')
    const [headLine, capabilityText = ''] = (body[2] ?? '').split('\0')
    const main = await git(['rev-parse', 'main'], { cwd: fixture.gitdir })
    t.equal(headLine, `${main} HEAD`)
    const capabilities = capabilityText.split(' ')
    t.ok(capabilities.includes('symref=HEAD:refs/heads/main'))
    t.ok(capabilities.includes('agent=tagstone/0.1'))
    t.ok(capabilities.includes('side-band-64k'))
    for (const absent of ['multi_ack', 'thin-pack', 'shallow', 'filter', 'allow-tip-sha1-in-want', 'no-done']) {
      t.notOk(capabilities.includes(absent), `does not claim ${absent}`)
    }

    // The same ref lines git's own upload-pack would send, minus the hidden archive ref.
    const native = await git(['upload-pack', '--advertise-refs', '--stateless-rpc', '.'], { cwd: fixture.gitdir })
    const nativeRefs = lines(Buffer.from(native))
      .filter((line): line is string => line !== null)
      .map((line) => line.split('\0')[0] ?? '')
      .filter((line) => !line.includes('refs/archives/'))
    t.same(
      body.slice(2, -1).map((line) => (line ?? '').split('\0')[0]),
      nativeRefs,
    )
    t.notMatch(body.join('\n'), /archives/, 'the archive ref stays hidden')
    t.match(body, [
      String,
      null,
      String,
      String,
      /refs\/tags\/v1$/,
      /refs\/tags\/v1\^\{\}$/,
      /refs\/tags\/v3$/,
      /refs\/tags\/v3\^\{\}$/,
      null,
    ])
  })
}

t.test('an empty repository advertises its capabilities on a capabilities^{} line', async (t) => {
  const gitdir = path.join(testDir(t), 'empty.git')
  await git(['init', '-q', '--bare', '-b', 'main', gitdir], { cwd: path.dirname(gitdir) })
  const body = lines(await server.advertiseRefs(gitdir))
  t.equal(body.length, 4)
  t.match(body[2], /^0{40} capabilities\^\{\}\0/)
  t.notMatch(body[2], /symref=/, 'an unborn HEAD is not announced')
})

t.test('a deleted tag disappears and a new one appears at the next request', async (t) => {
  const fixture = await makeFixture(testDir(t))
  t.match(lines(await server.advertiseRefs(fixture.gitdir)).join('\n'), /refs\/tags\/v3/)
  await git(['update-ref', '-d', 'refs/tags/v3'], { cwd: fixture.gitdir })
  await git(['tag', '-a', 'v4', '-m', 'four', 'main'], { cwd: fixture.gitdir })
  const text = lines(await server.advertiseRefs(fixture.gitdir)).join('\n')
  t.notMatch(text, /refs\/tags\/v3/)
  t.match(text, /refs\/tags\/v4\^\{\}/)
})

t.test('a missing repository is NOT_FOUND', async (t) => {
  await t.rejects(server.advertiseRefs(path.join(testDir(t), 'nope.git')), { code: 'NOT_FOUND' })
})
