import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** Runs the real `git` binary on a bare repository; resolves with stdout as bytes, rejects with stderr on failure. */
export function gitBytes(
  gitdir: string,
  args: string[],
  input?: Buffer,
  env: Record<string, string> = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [`--git-dir=${gitdir}`, ...args],
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 30_000, env: { ...bareRepoEnv(), ...env } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')}: ${err.message}\n${stderr.toString()}`))
        else resolve(stdout)
      },
    )
    child.stdin?.end(input)
  })
}

/** `git` with text output, trailing newline removed. */
export async function git(gitdir: string, ...args: string[]): Promise<string> {
  return (await gitBytes(gitdir, args)).toString('utf8').replace(/\n$/, '')
}

/** No user or system config may change what git prints. */
function bareRepoEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' }
}

/** `git ls-tree -r` of a tree-ish as a map path -> {mode, type, oid}. */
export async function lsTree(
  gitdir: string,
  treeish: string,
): Promise<Map<string, { mode: string; type: string; oid: string }>> {
  const out = await git(gitdir, 'ls-tree', '-r', '-z', '--full-tree', treeish)
  const entries = new Map<string, { mode: string; type: string; oid: string }>()
  for (const line of out.split('\0')) {
    if (!line) continue
    const [meta, path] = line.split('\t') as [string, string]
    const [mode, type, oid] = meta.split(' ') as [string, string, string]
    entries.set(path, { mode, type, oid })
  }
  return entries
}

/** An environment where the real git client never prompts and never reads the user's config. */
export function gitEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
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
    ...extra,
  }
}

export interface GitResult {
  stdout: string
  stderr: string
  code: number
}

/** Runs the real git binary; never throws on a non-zero exit, the caller asserts on `code`. */
export async function runGit(
  args: string[],
  options: { cwd: string; home?: string; env?: NodeJS.ProcessEnv; input?: Buffer | string },
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
      child.on('close', (code) => {
        resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code: code ?? -1 })
      })
      child.stdin.end(options.input)
    })
  }
  try {
    const { stdout, stderr } = await execFileAsync('git', args, { cwd: options.cwd, env, maxBuffer: 256 * 1024 * 1024 })
    return { stdout, stderr, code: 0 }
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number }
    return {
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
      code: typeof failed.code === 'number' ? failed.code : -1,
    }
  }
}
