import { execFile } from 'node:child_process'

/** Runs the real `git` binary on a bare repository; resolves with stdout as bytes, rejects with stderr on failure. */
export function gitBytes(gitdir: string, args: string[], input?: Buffer, env: Record<string, string> = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [`--git-dir=${gitdir}`, ...args],
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 30_000, env: { ...gitEnv(), ...env } },
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
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' }
}

/** `git ls-tree -r` of a tree-ish as a map path -> {mode, type, oid}. */
export async function lsTree(gitdir: string, treeish: string): Promise<Map<string, { mode: string; type: string; oid: string }>> {
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
