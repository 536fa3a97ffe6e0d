import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'

import Fastify, { type FastifyInstance } from 'fastify'

import { GitServer as TagstoneGitServer } from '../../../repos/smart-http/git-server.js'
import { gitRoutes } from '../../../server/routes/git.js'
import { runGit } from '../../helpers/git.js'

export { gitEnv, type GitResult, runGit } from '../../helpers/git.js'

/** Like runGit, but a failure is an exception carrying git's own words. */
export async function git(args: string[], options: Parameters<typeof runGit>[1]): Promise<string> {
  const result = await runGit(args, options)
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr}`)
  return result.stdout.trim()
}

/**
 * `t.testdir()`, unique per process: tap names the directory after the file and the test only,
 * so two runs of the suite in one work tree would otherwise build and delete the same fixtures.
 */
export function testDir(t: { testdirName: string; testdir: () => string }): string {
  if (!t.testdirName.endsWith(`-${process.pid}`)) t.testdirName = `${t.testdirName}-${process.pid}`
  return t.testdir()
}

export interface Fixture {
  root: string
  gitdir: string
  /** The blob behind refs/archives/x: must never reach a client. */
  archiveBlob: string
  /** Commits on main, oldest first. */
  commits: string[]
  /** The files of main's tip, by path. */
  files: Record<string, string | Buffer>
}

const EXECUTABLE = new Set(['run.sh'])
const SYMLINKS: Record<string, string> = { 'entry.py': 'main.py' }

/**
 * A bare repository laid out like tagstone's: commits on main (an executable file and a symlink
 * among the files), annotated tags v1 and v3 (v2 deleted, as versions can be), and a hidden
 * refs/archives/x naming a blob. Objects are loose, as isomorphic-git writes them; `packed`
 * runs git gc. Built with fast-import: a handful of git processes instead of dozens.
 */
export async function makeFixture(root: string, options: { packed?: boolean } = {}): Promise<Fixture> {
  await mkdir(root, { recursive: true })
  const gitdir = path.join(root, 'repo.git')
  await git(['init', '-q', '--bare', '-b', 'main', gitdir], { cwd: root })
  const fixture: Fixture = {
    root,
    gitdir,
    archiveBlob: '',
    commits: [],
    files: {
      'main.py': 'def main():\n    return "v1"\n',
      'run.sh': '#!/bin/sh\nexec python3 main.py\n',
      'lib/helpers.py': 'X = 1\n',
    },
  }
  const versions: VersionSpec[] = [1, 2, 3].map((n) => ({
    files: n === 1 ? { ...fixture.files } : { 'main.py': `def main():\n    return "v${n}"\n` },
    tag: n === 2 ? undefined : `v${n}`,
  }))
  await importVersions(fixture, versions)
  fixture.archiveBlob = await git(['hash-object', '-w', '--stdin'], {
    cwd: gitdir,
    input: 'PK\x03\x04 the uploaded zip\n',
  })
  await git(['update-ref', 'refs/archives/x', fixture.archiveBlob], { cwd: gitdir })
  if (options.packed === true) await git(['gc', '-q'], { cwd: gitdir })
  return fixture
}

interface VersionSpec {
  files: Record<string, string | Buffer>
  tag?: string | undefined
}

/**
 * Adds commits on main (each adding a small file, or the files given) and an annotated tag on
 * the last one, as loose objects, the way tagstone adds a version. Returns main's new tip.
 */
export async function addVersion(
  fixture: Fixture,
  tag: string,
  commits = 1,
  files: Record<string, string | Buffer> = {},
): Promise<string> {
  const versions: VersionSpec[] = Array.from({ length: commits }, (_, i) => ({
    files:
      i === commits - 1
        ? { [`added-${tag}-${i}.txt`]: `${tag} ${i}\n`, ...files }
        : { [`added-${tag}-${i}.txt`]: `${tag} ${i}\n` },
    tag: i === commits - 1 ? tag : undefined,
  }))
  await importVersions(fixture, versions)
  return fixture.commits[fixture.commits.length - 1] ?? ''
}

let clock = 1_700_000_000

async function importVersions(fixture: Fixture, versions: VersionSpec[]): Promise<void> {
  const parts: Buffer[] = []
  const line = (text: string): void => {
    parts.push(Buffer.from(`${text}\n`))
  }
  const data = (content: string | Buffer): void => {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content
    line(`data ${bytes.length}`)
    parts.push(bytes, Buffer.from('\n'))
  }
  versions.forEach((version, index) => {
    const mark = index + 1
    const when = `${clock++} +0000`
    line('commit refs/heads/main')
    line(`mark :${mark}`)
    line(`committer Fixture <fixture@example.invalid> ${when}`)
    data(`upload ${fixture.commits.length + mark}`)
    const parent = index > 0 ? `:${index}` : fixture.commits[fixture.commits.length - 1]
    if (parent !== undefined) line(`from ${parent}`)
    for (const [name, content] of Object.entries(version.files)) {
      fixture.files[name] = content
      line(`M ${EXECUTABLE.has(name) ? '100755' : '100644'} inline ${name}`)
      data(content)
    }
    if (fixture.commits.length === 0 && index === 0) {
      for (const [name, target] of Object.entries(SYMLINKS)) {
        line(`M 120000 inline ${name}`)
        data(target)
      }
    }
    if (version.tag !== undefined) {
      line(`tag ${version.tag}`)
      line(`from :${mark}`)
      line(`tagger Fixture <fixture@example.invalid> ${when}`)
      data(`version ${version.tag}`)
    }
  })
  const before = await packNames(fixture.gitdir)
  await git(['fast-import', '--quiet', '--force'], { cwd: fixture.gitdir, input: Buffer.concat(parts) })
  // fast-import writes a pack; tagstone's repositories hold loose objects, so unpack it.
  for (const name of await packNames(fixture.gitdir)) {
    if (before.includes(name)) continue
    const pack = path.join(fixture.gitdir, 'objects', 'pack', name)
    const bytes = await readFile(pack)
    await rm(pack)
    await rm(pack.replace(/\.pack$/, '.idx'), { force: true })
    await git(['unpack-objects', '-q'], { cwd: fixture.gitdir, input: bytes })
  }
  const added = await git(['rev-list', '--reverse', '-n', String(versions.length), 'main'], { cwd: fixture.gitdir })
  fixture.commits.push(...added.split('\n'))
}

async function packNames(gitdir: string): Promise<string[]> {
  return (await readdir(path.join(gitdir, 'objects', 'pack'))).filter((name) => name.endsWith('.pack'))
}

export interface GitServer {
  app: FastifyInstance
  url: (functionId: string) => string
  base: string
  close: () => Promise<void>
}

/**
 * A tiny app serving fixtures under /git: the function id maps to a fixture directory; with
 * `requireAuth`, a request without an Authorization header is refused as unauthenticated.
 */
export async function serveRepositories(
  repositories: Record<string, string>,
  options: { requireAuth?: boolean } = {},
): Promise<GitServer> {
  const server = new TagstoneGitServer()
  const app = Fastify()
  await app.register(gitRoutes, {
    authorizeGit: async (request, functionId) => {
      if (options.requireAuth === true && request.headers.authorization === undefined) {
        // A bare object, not an Error: the routes must map whatever carries a code.
        throw { code: 'UNAUTHENTICATED' }
      }
      const gitdir = repositories[functionId]
      if (gitdir === undefined) throw Object.assign(new Error('Function not found.'), { code: 'FUNCTION_NOT_FOUND' })
      return server.repository(gitdir)
    },
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const base = `http://127.0.0.1:${port}`
  return {
    app,
    base,
    url: (id) => `${base}/git/${id}.git`,
    close: async () => {
      await app.close()
    },
  }
}

export const FUNCTION_ID = '0b7e5a3c-9d41-4f0e-8a8c-3f2d1e6b7a90'
export const OTHER_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'
