import { type ChildProcess, spawn } from 'node:child_process'
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
 * Starts a server process and resolves once a line of its output matches `listening`. Its own
 * process, so that the load generator in this process does not share its event loop.
 */
function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  listening: RegExp,
  timeoutMs = 60_000,
): Promise<ChildServer> {
  const started = performance.now()
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  let output = ''
  let ready = false
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no server within ${timeoutMs} ms:\n${output}`)), timeoutMs)
    const fail = (error: Error) => {
      clearTimeout(timer)
      void stop().then(() => reject(error))
    }
    const onData = (chunk: Buffer) => {
      if (ready) return
      output += chunk.toString()
      const match = listening.exec(output)
      if (!match) return
      clearTimeout(timer)
      // The pipes keep being drained (request logs), but nothing is kept.
      ready = true
      output = ''
      resolve({ url: match[1]!, pid: child.pid!, startMs: performance.now() - started, stop })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => fail(new Error(`server exited with ${code} before listening:\n${output}`)))
  })
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
