import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

/** The built `tagstone` command (this file runs from dist/bench/). */
const TAGSTONE = fileURLToPath(new URL('../cli/main.js', import.meta.url))
/** The bare Fastify baseline server. */
const BARE_SERVER = fileURLToPath(new URL('./bare-server.js', import.meta.url))

export interface ChildServer {
  url: string
  pid: number
  /** Milliseconds from spawn until the server said it listens. */
  startMs: number
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>
}

/**
 * Starts a server process and resolves once its output matches `listening`. Its own process, so
 * that the load generator in this process does not share its event loop; its output goes to a
 * file, so that this process does not spend the load generator's time draining request logs.
 */
async function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  listening: RegExp,
  timeoutMs = 60_000,
): Promise<ChildServer> {
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'tagstone-bench-log-'))
  const logFile = path.join(logDir, 'output.log')
  const fd = openSync(logFile, 'w')
  const started = performance.now()
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    await rm(logDir, { recursive: true, force: true })
  }
  for (;;) {
    const output = await readFile(logFile, 'utf8')
    const match = listening.exec(output)
    if (match) return { url: match[1]!, pid: child.pid!, startMs: performance.now() - started, stop }
    if (child.exitCode !== null || child.signalCode !== null || performance.now() - started > timeoutMs) {
      await stop()
      throw new Error(`the server did not listen:\n${output}`)
    }
    await sleep(5)
  }
}

/** `tagstone serve` on a data folder, port 0, token auth on, the log level as a user runs it unless told. */
export function startTagstone(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ChildServer> {
  return startChild(
    [TAGSTONE, 'serve', '--port', '0', '--data', dataDir],
    { PATH: process.env.PATH, ...env },
    /Server listening at (http:\/\/127\.0\.0\.1:\d+)/,
  )
}

/** A bare Fastify route answering every GET with the bytes of `jsonFile`. */
export function startBare(jsonFile: string): Promise<ChildServer> {
  return startChild([BARE_SERVER, jsonFile], { PATH: process.env.PATH }, /^listening (http:\/\/127\.0\.0\.1:\d+)$/m)
}
