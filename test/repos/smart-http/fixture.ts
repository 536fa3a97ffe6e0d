import { execFile, spawn } from 'node:child_process'
import { mkdir, writeFile, chmod, symlink } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import Fastify, { type FastifyInstance } from 'fastify'
import { gitRoutes } from '../../../server/routes/git.js'

const execFileAsync = promisify(execFile)

/** An environment where the real git client never prompts and never reads the user's config. */
export function gitEnv (home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Fixture',
    GIT_AUTHOR_EMAIL: 'fixture@example.invalid',
    GIT_COMMITTER_NAME: 'Fixture',
    GIT_COMMITTER_EMAIL: 'fixture@example.invalid',
    LC_ALL: 'C',
    ...extra
  }
}

export interface GitResult { stdout: string, stderr: string, code: number }

/** Runs the real git binary; never throws on a non-zero exit, the caller asserts on `code`. */
export async function runGit (
  args: string[], options: { cwd: string, home?: string, env?: NodeJS.ProcessEnv, input?: Buffer | string }
): Promise<GitResult> {
  const env = gitEnv(options.home ?? options.cwd, options.env)
  if (options.input !== undefined) {
    return await new Promise((resolve, reject) => {
      const child = spawn('git', args, { cwd: options.cwd, env })
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      child.on('error', reject)
      child.on('close', code => {
        resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code: code ?? -1 })
      })
      child.stdin.end(options.input)
    })
  }
  try {
    const { stdout, stderr } = await execFileAsync('git', args, { cwd: options.cwd, env, maxBuffer: 256 * 1024 * 1024 })
    return { stdout, stderr, code: 0 }
  } catch (error) {
    const failed = error as { stdout?: string, stderr?: string, code?: number }
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: typeof failed.code === 'number' ? failed.code : -1 }
  }
}

/** Like runGit, but a failure is an exception carrying git's own words. */
export async function git (args: string[], options: Parameters<typeof runGit>[1]): Promise<string> {
  const result = await runGit(args, options)
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr}`)
  return result.stdout.trim()
}

export interface Fixture {
  root: string
  gitdir: string
  work: string
  /** The blob behind refs/archives/x: must never reach a client. */
  archiveBlob: string
  commits: string[]
  files: Record<string, string>
}

/**
 * A bare repository laid out like tagstone's: commits on main (an executable file and a symlink
 * among the files), annotated tags v1 and v3 (v2 deleted, as versions can be), and a hidden
 * refs/archives/x naming a blob. Pushing small batches leaves loose objects; `packed` runs git gc.
 */
export async function makeFixture (root: string, options: { packed?: boolean } = {}): Promise<Fixture> {
  await mkdir(root, { recursive: true })
  const gitdir = path.join(root, 'repo.git')
  const work = path.join(root, 'work')
  await git(['init', '-q', '--bare', '-b', 'main', gitdir], { cwd: root })
  await git(['init', '-q', '-b', 'main', work], { cwd: root })
  const files: Record<string, string> = {
    'main.py': 'def main():\n    return "v1"\n',
    'run.sh': '#!/bin/sh\nexec python3 main.py\n',
    'lib/helpers.py': 'X = 1\n'
  }
  await mkdir(path.join(work, 'lib'))
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(work, name), text)
  await chmod(path.join(work, 'run.sh'), 0o755)
  await symlink('main.py', path.join(work, 'entry.py'))
  const commits: string[] = []
  const commit = async (message: string): Promise<void> => {
    await git(['add', '-A'], { cwd: work })
    await git(['commit', '-q', '-m', message], { cwd: work })
    commits.push(await git(['rev-parse', 'HEAD'], { cwd: work }))
  }
  await commit('upload 1')
  await git(['tag', '-a', 'v1', '-m', 'first version'], { cwd: work })
  for (const n of [2, 3]) {
    files['main.py'] = `def main():\n    return "v${n}"\n`
    await writeFile(path.join(work, 'main.py'), files['main.py'])
    await commit(`upload ${n}`)
    await git(['tag', '-a', `v${n}`, '-m', `version ${n}`], { cwd: work })
  }
  await git(['push', '-q', gitdir, 'main', 'v1', 'v3'], { cwd: work })
  const archiveBlob = await git(['hash-object', '-w', '--stdin'], { cwd: gitdir, input: 'PK\x03\x04 the uploaded zip\n' })
  await git(['update-ref', 'refs/archives/x', archiveBlob], { cwd: gitdir })
  if (options.packed === true) await git(['gc', '-q'], { cwd: gitdir })
  return { root, gitdir, work, archiveBlob, commits, files }
}

/** Adds commits on main and an annotated tag on the last one, then pushes them to the fixture. */
export async function addVersion (fixture: Fixture, tag: string, commits = 1): Promise<string> {
  for (let i = 0; i < commits; i++) {
    const name = `added-${tag}-${i}.txt`
    fixture.files[name] = `${tag} ${i}\n`
    await writeFile(path.join(fixture.work, name), fixture.files[name])
    await git(['add', '-A'], { cwd: fixture.work })
    await git(['commit', '-q', '-m', `${tag} commit ${i}`], { cwd: fixture.work })
  }
  await git(['tag', '-a', tag, '-m', `version ${tag}`], { cwd: fixture.work })
  await git(['push', '-q', fixture.gitdir, 'main', tag], { cwd: fixture.work })
  return await git(['rev-parse', 'HEAD'], { cwd: fixture.work })
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
export async function serveRepositories (
  repositories: Record<string, string>, options: { requireAuth?: boolean } = {}
): Promise<GitServer> {
  const app = Fastify()
  await app.register(gitRoutes, {
    authorizeGit: async (request, functionId) => {
      if (options.requireAuth === true && request.headers.authorization === undefined) {
        // A bare object, not an Error: the routes must map whatever carries a code.
        throw { code: 'UNAUTHENTICATED' }
      }
      const gitdir = repositories[functionId]
      if (gitdir === undefined) throw Object.assign(new Error('Function not found.'), { code: 'FUNCTION_NOT_FOUND' })
      return gitdir
    }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const base = `http://127.0.0.1:${port}`
  return { app, base, url: id => `${base}/git/${id}.git`, close: async () => { await app.close() } }
}

export const FUNCTION_ID = '0b7e5a3c-9d41-4f0e-8a8c-3f2d1e6b7a90'
export const OTHER_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'
