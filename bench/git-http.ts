/**
 * The C git side of the git benchmarks, and the history they serve: a bench repository built with
 * `git fast-import` (loose, or packed as after `git gc`), tagstone's git server and C git's
 * `git http-backend` on loopback, and the real git client to drive both.
 */
import { spawn } from 'node:child_process'
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'

import Fastify from 'fastify'

import { GitServer } from '../repos/smart-http/git-server.js'
import { gitRoutes } from '../server/routes/git.js'

const FILES = 40
const FILE_BYTES = 26 * 1024
const CHANGED_PER_COMMIT = 3
/** No single git command may take longer than this; the bench never hangs. */
const COMMAND_TIMEOUT_MS = 120_000
export const FUNCTION_ID = '00000000-0000-4000-8000-000000000000'

export interface Run {
  code: number
  stdout: string
  stderr: string
  ms: number
}

export function run(args: string[], cwd: string, input?: Buffer | string): Promise<Run> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      timeout: COMMAND_TIMEOUT_MS,
      env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const result = {
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: performance.now() - started,
      }
      if (result.code !== 0) reject(new Error(`git ${args.join(' ')}: ${result.stderr}`))
      else resolve(result)
    })
    child.stdin.end(input)
  })
}

/** Deterministic text that compresses like source code does (about 3:1). */
function makeText(seed: number, bytes: number): string {
  const words = [
    'function',
    'return',
    'const',
    'value',
    'handler',
    'event',
    'context',
    'result',
    'await',
    'import',
    'export',
    'default',
    'string',
    'number',
    'object',
    'length',
    'index',
    'buffer',
    'request',
    'response',
  ]
  // mulberry32: a small generator without the short low-bit cycles of a plain LCG.
  let state = (seed * 2654435761) >>> 0
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return (x ^ (x >>> 14)) >>> 0
  }
  const lines: string[] = []
  let size = 0
  while (size < bytes) {
    const parts: string[] = []
    for (let i = 0; i < 6; i++) parts.push(words[random() % words.length] ?? 'x', String(random() % 100000))
    const line = `  ${parts.join(' ')};\n`
    lines.push(line)
    size += line.length
  }
  return lines.join('')
}

/** A fast-import stream: a ~1 MiB package, then a few files edited per commit, one annotated tag per commit. */
export function historyStream(commits: number, firstCommit = 1, parent?: string): string {
  const out: string[] = []
  for (let c = firstCommit; c < firstCommit + commits; c++) {
    const message = `upload ${c}`
    out.push(
      'commit refs/heads/main',
      `mark :${c}`,
      `committer Bench <bench@example.invalid> ${1_700_000_000 + c * 60} +0000`,
      `data ${message.length}`,
      message,
    )
    if (c > firstCommit) out.push(`from :${c - 1}`)
    else if (parent !== undefined) out.push(`from ${parent}`)
    const changed =
      c === 1
        ? Array.from({ length: FILES }, (_, i) => i)
        : Array.from({ length: CHANGED_PER_COMMIT }, (_, i) => (c * 7 + i * 13) % FILES)
    for (const file of changed) {
      // An edited file: mostly the same text, a new tail, as a real edit would be.
      const text = makeText(file, FILE_BYTES) + `// revision ${c}\n` + makeText(c * 1000 + file, 512)
      out.push(`M 100644 inline src/module${file}.js`, `data ${Buffer.byteLength(text)}`, text)
    }
    const tagMessage = `version ${c}`
    out.push(
      `tag v${c}`,
      `from :${c}`,
      `tagger Bench <bench@example.invalid> ${1_700_000_000 + c * 60} +0000`,
      `data ${tagMessage.length}`,
      tagMessage,
    )
  }
  return out.join('\n') + '\n'
}

/** Builds the bench repository; `loose` unpacks every object, as isomorphic-git leaves them. */
export async function buildRepository(root: string, variant: string, commits: number): Promise<string> {
  const gitdir = path.join(root, 'repos', `${FUNCTION_ID}.git`)
  await run(['init', '-q', '--bare', '-b', 'main', gitdir], root)
  await run(['fast-import', '--quiet'], gitdir, historyStream(commits))
  if (variant === 'loose') {
    await unpackAll(gitdir)
  } else {
    // As after an operator's `git gc`, with deltas searched afresh rather than fast-import's.
    await run(['repack', '-q', '-a', '-d', '-f'], gitdir)
    await run(['pack-refs', '--all'], gitdir)
  }
  return gitdir
}

export async function packNames(gitdir: string): Promise<string[]> {
  return (await readdir(path.join(gitdir, 'objects', 'pack'))).filter((name) => name.endsWith('.pack'))
}

/** Turns packs into loose objects (all of them, or all but `keep`). */
export async function unpackAll(gitdir: string, keep: string[] = []): Promise<void> {
  const packDir = path.join(gitdir, 'objects', 'pack')
  for (const name of await packNames(gitdir)) {
    if (keep.includes(name)) continue
    const moved = path.join(gitdir, name)
    await rename(path.join(packDir, name), moved)
    for (const suffix of ['.idx', '.rev', '.bitmap']) {
      await rm(path.join(packDir, name.replace(/\.pack$/, suffix)), { force: true })
    }
    await run(['unpack-objects', '-q'], gitdir, await readFile(moved))
    await rm(moved)
  }
}

/** Adds one commit and its tag as loose objects, the way tagstone writes a new version. */
export async function addVersion(gitdir: string, n: number): Promise<void> {
  const head = (await run(['rev-parse', 'main'], gitdir)).stdout.trim()
  const before = await packNames(gitdir)
  await run(['fast-import', '--quiet', '--force'], gitdir, historyStream(1, n, head))
  await unpackAll(gitdir, before)
}

export async function startTagstone(
  gitdir: string,
  server = new GitServer(),
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify()
  await app.register(gitRoutes, { authorizeGit: async () => server.repository(gitdir) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/git/${FUNCTION_ID}.git`,
    close: async () => {
      await app.close()
    },
  }
}

/** A minimal CGI host for `git http-backend`, the way a web server would run it. */
export async function startHttpBackend(projectRoot: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: url.pathname.replace(/^\/git/, ''),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: request.method ?? 'GET',
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
      ...(request.headers['content-encoding'] === undefined
        ? {}
        : { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] }),
      ...(request.headers['git-protocol'] === undefined
        ? {}
        : { GIT_PROTOCOL: String(request.headers['git-protocol']) }),
    }
    const cgi = spawn('git', ['http-backend'], { env, timeout: COMMAND_TIMEOUT_MS })
    request.pipe(cgi.stdin)
    cgi.stdin.on('error', () => {})
    let head = Buffer.alloc(0)
    let headersDone = false
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk)
        return
      }
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n')
      if (end < 0) return
      const separator = head[end] === 0x0d ? 4 : 2
      let status = 200
      for (const line of head.toString('latin1', 0, end).split(/\r?\n/)) {
        const colon = line.indexOf(':')
        const name = line.slice(0, colon).trim()
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === 'status') status = parseInt(value, 10)
        else if (name !== '') response.setHeader(name, value)
      }
      response.statusCode = status
      headersDone = true
      response.write(head.subarray(end + separator))
    })
    cgi.on('close', () => {
      response.end()
    })
    cgi.on('error', () => {
      response.statusCode = 500
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/git/${FUNCTION_ID}.git`,
    close: async () => {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      )
    },
  }
}

export async function cloneTime(url: string, into: string, root: string): Promise<number> {
  const result = await run(['clone', '-q', url, into], root)
  return result.ms
}

export async function directoryBytes(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    total += entry.isDirectory() ? await directoryBytes(full) : (await stat(full)).size
  }
  return total
}
