import { existsSync } from 'node:fs'

import t from 'tap'

import { Api, type Tap, type VersionJson } from '../helpers/api.js'
import { gitdirOf, inspectDataDir } from '../helpers/data-dir.js'
import { git, gitBytes, lsTree } from '../helpers/git.js'
import { startServer } from '../helpers/server.js'
import { makeZip, type ZipEntry } from '../helpers/zip.js'
import { restamp } from '../helpers/zip-variants.js'

const files = (version: string): ZipEntry[] => [
  { name: 'main.py', content: `def main():\n    return "${version}"\n` },
  { name: 'bin/run.sh', content: '#!/bin/sh\nexec python3 main.py\n', mode: 0o100755 },
  { name: 'current', content: 'main.py', mode: 0o120777 },
  { name: 'lib/', content: '' },
  { name: 'lib/util.py', content: 'HELPER = True\n' },
]
const P1 = makeZip(files('one'))
const P2 = makeZip(files('two'))
const P2_REZIPPED = restamp(P2, new Date('2036-01-01T00:00:00Z'))
const P3 = makeZip([...files('three'), { name: 'lib/extra.py', content: 'x = 3\n' }])

async function setup(t: Tap) {
  const dataDir = t.testdir()
  const server = await startServer({ dataDir })
  t.teardown(() => server.close())
  return { api: new Api(server.url, t), dataDir }
}

t.test('the repository on disk is what the API says, as the real git reads it', async (t) => {
  const { api, dataDir } = await setup(t)
  const fn = await api.createFunction(P1)
  const gitdir = gitdirOf(dataDir, fn.id)
  const v1 = await api.createVersion(fn.id, 'first release\n\nwith a body')
  await api.uploadPackage(fn.id, P2)
  const v2 = await api.createVersion(fn.id, 'second')
  await api.uploadPackage(fn.id, P2)
  await api.uploadPackage(fn.id, P2_REZIPPED)
  const head = await api.uploadPackage(fn.id, P3)

  t.equal(await git(gitdir, 'rev-parse', '--is-bare-repository'), 'true', 'a bare repository')
  t.equal(await git(gitdir, 'symbolic-ref', 'HEAD'), 'refs/heads/main', 'HEAD is main')
  t.equal(await git(gitdir, 'rev-parse', 'main'), head.commit, "main is the function's commit")

  t.test('a version is an annotated tag holding its description and date', async (t) => {
    for (const v of [v1, v2]) {
      const tag = `v${v.version_number}`
      t.equal(await git(gitdir, 'cat-file', '-t', tag), 'tag', `${tag} is an annotated tag`)
      t.equal(await git(gitdir, 'rev-parse', tag), v.tag_object, `${tag}: the tag object the API names`)
      t.equal(await git(gitdir, 'rev-parse', `${tag}^{commit}`), v.commit, `${tag}: on the version's commit`)
      t.equal(await git(gitdir, 'rev-parse', `${tag}^{tree}`), v.tree, `${tag}: with the version's tree`)
      const [message, taggerDate] = (
        await git(gitdir, 'for-each-ref', '--format=%(contents)%00%(taggerdate:unix)', `refs/tags/${tag}`)
      ).split('\0')
      // Spec 8: the description, a blank line, then the config snapshot as trailers.
      const raw = await git(gitdir, 'cat-file', 'tag', tag)
      const body = raw.slice(raw.indexOf('\n\n') + 2)
      t.equal(
        body.split('\n\nTagstone-Entry: ')[0],
        v.description,
        `${tag}: the tag message starts with the description`,
      )
      t.match(message, /\n\nTagstone-Entry: .*\nTagstone-Runtime: /, `${tag}: then the config trailers`)
      t.equal(
        Number(taggerDate),
        Date.parse(`${v.created_at.replace(' ', 'T')}Z`) / 1000,
        `${tag}: the tagger date is created_at`,
      )
    }
  })

  t.test("a version's files are the uploaded files, modes included", async (t) => {
    t.equal((await gitBytes(gitdir, ['show', 'v1:main.py'])).toString(), 'def main():\n    return "one"\n')
    t.equal((await gitBytes(gitdir, ['show', 'v2:main.py'])).toString(), 'def main():\n    return "two"\n')
    t.equal((await gitBytes(gitdir, ['show', 'v1:lib/util.py'])).toString(), 'HELPER = True\n')
    const tree = await lsTree(gitdir, 'v1')
    t.same(
      [...tree.keys()].sort(),
      ['bin/run.sh', 'current', 'lib/util.py', 'main.py'],
      'every file, no directory entry of its own',
    )
    t.equal(tree.get('bin/run.sh')?.mode, '100755', 'the executable keeps its bit')
    t.equal(tree.get('main.py')?.mode, '100644')
    t.equal(tree.get('current')?.mode, '120000', 'the symlink is a git symlink')
    t.equal(
      (await gitBytes(gitdir, ['cat-file', 'blob', tree.get('current')!.oid])).toString(),
      'main.py',
      'pointing at its target',
    )
    t.equal(
      (await gitBytes(gitdir, ['show', 'main:lib/extra.py'])).toString(),
      'x = 3\n',
      'main has the newest package',
    )
  })

  t.test('main has one commit per upload of new bytes, each on the one before', async (t) => {
    const chain = (await git(gitdir, 'rev-list', '--parents', 'main')).split('\n').map((line) => line.split(' '))
    t.equal(chain.length, 4, 'P1, P2, the re-zipped P2, P3: the identical re-upload made none')
    chain.forEach((ids, i) => {
      const isRoot = i === chain.length - 1
      t.equal(ids.length, isRoot ? 1 : 2, isRoot ? 'the first upload is the root' : 'one parent each')
      if (!isRoot) t.equal(ids[1], chain[i + 1]![0], 'the parent is the upload before')
    })
    const [p3, p2again, p2, p1] = chain.map((ids) => ids[0]!)
    t.equal(p2, v2.commit, 'v2 tags the second upload')
    t.equal(p1, v1.commit, 'v1 tags the first')
    t.equal(
      await git(gitdir, 'rev-parse', `${p2again}^{tree}`),
      await git(gitdir, 'rev-parse', `${p2}^{tree}`),
      'a re-zip of the same files: a new commit, the same tree',
    )
    t.not(await git(gitdir, 'rev-parse', `${p3}^{tree}`), await git(gitdir, 'rev-parse', `${p2}^{tree}`))
  })

  t.test('refs/archives hold the very zips uploaded', async (t) => {
    const refs = (
      await git(gitdir, 'for-each-ref', '--format=%(refname) %(objectname) %(objecttype)', 'refs/archives/')
    ).split('\n')
    t.equal(refs.length, 4, 'one archive per commit')
    const uploads = new Map([
      [v1.commit, P1],
      [v2.commit, P2],
      [head.commit, P3],
    ])
    for (const line of refs) {
      const [ref, oid, type] = line.split(' ') as [string, string, string]
      t.equal(type, 'blob', `${ref} is a blob`)
      const commit = ref.slice('refs/archives/'.length)
      t.equal(await git(gitdir, 'cat-file', '-t', commit), 'commit', 'named after its commit')
      const zip = uploads.get(commit) ?? P2_REZIPPED
      t.same(
        await gitBytes(gitdir, ['cat-file', 'blob', oid]),
        zip,
        `the archive of ${commit.slice(0, 8)} is its upload, byte for byte`,
      )
    }
    const cloneSees = await git(gitdir, 'for-each-ref', '--format=%(refname)', 'refs/heads/', 'refs/tags/')
    t.same(
      cloneSees.split('\n').sort(),
      ['refs/heads/main', 'refs/tags/v1', 'refs/tags/v2'],
      'branches and tags: only main and the versions',
    )
  })

  t.test("tags are never moved; a deleted version's tag is gone", async (t) => {
    t.equal(await git(gitdir, 'rev-parse', 'v1'), v1.tag_object, 'v1 still names its tag object after three uploads')
    t.equal((await api.delete(`/v1/functions/${fn.id}/versions/2`)).status, 204)
    t.equal(await git(gitdir, 'tag', '-l'), 'v1', 'v2 is gone')
    await t.rejects(git(gitdir, 'rev-parse', '--verify', '--quiet', 'refs/tags/v2'), 'refs/tags/v2 does not resolve')
    const v3 = (
      await api.post(`/v1/functions/${fn.id}/versions`, { json: { description: 'third' } })
    ).json<VersionJson>()
    t.equal(v3.version_number, 3)
    t.equal(await git(gitdir, 'tag', '-l'), 'v1\nv3', 'v3 beside v1, no v2 again')
    t.equal(await git(gitdir, 'rev-parse', 'v3^{commit}'), head.commit, "v3 tags main's head")
  })

  t.test('git fsck --strict is clean', async (t) => {
    t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling', '--no-progress'), '')
  })
})

t.test('refused uploads leave git untouched', async (t) => {
  const { api, dataDir } = await setup(t)
  const fn = await api.createFunction(P1)
  const gitdir = gitdirOf(dataDir, fn.id)
  const before = await git(gitdir, 'for-each-ref')
  const form = new FormData()
  form.append(
    'package',
    new Blob([new Uint8Array(makeZip([{ name: '.git/hooks/pre-commit', content: 'evil' }]))]),
    'p.zip',
  )
  t.equal((await api.put(`/v1/functions/${fn.id}`, { form })).status, 400)
  t.equal(await git(gitdir, 'for-each-ref'), before, 'no ref moved or added')
  t.equal(await git(gitdir, 'fsck', '--strict', '--no-dangling', '--no-progress'), '')
})

t.test('parallel uploads naming the function in either case make one straight history', async (t) => {
  const { api, dataDir } = await setup(t)
  const fn = await api.createFunction(P1)
  const spellings = [fn.id, fn.id.toUpperCase()]
  const uploads = Array.from({ length: 6 }, (_, i) => makeZip([{ name: 'main.py', content: `upload ${i}\n` }]))
  await Promise.all(uploads.map((zip, i) => api.uploadPackage(spellings[i % 2]!, zip)))
  const gitdir = gitdirOf(dataDir, fn.id)
  const chain = (await git(gitdir, 'rev-list', '--parents', 'main')).split('\n').map((line) => line.split(' '))
  t.equal(chain.length, 7, 'every upload is a commit on main')
  t.ok(
    chain.slice(0, -1).every((ids, i) => ids.length === 2 && ids[1] === chain[i + 1]![0]),
    'each on the one before: no upload lost to a race',
  )
  t.equal((await inspectDataDir(dataDir)).packages, 7, 'and SQLite has a package row for each')
  t.equal((await git(gitdir, 'for-each-ref', 'refs/archives/')).split('\n').length, 7, 'and an archive for each')
})

t.test('deleting a function removes its repository', async (t) => {
  const { api, dataDir } = await setup(t)
  const fn = await api.createFunction(P1)
  await api.createVersion(fn.id)
  t.ok(existsSync(gitdirOf(dataDir, fn.id)))
  t.equal((await api.delete(`/v1/functions/${fn.id}`)).status, 204)
  t.notOk(existsSync(gitdirOf(dataDir, fn.id)), 'the repository is gone')
  t.same((await inspectDataDir(dataDir)).repos, [], 'nothing else in repos/')
  t.same((await inspectDataDir(dataDir)).tmp, [], 'nor in tmp/')
})
