import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The built `tagstone` command (this file runs from dist/test/helpers/). */
export const TAGSTONE = fileURLToPath(new URL('../../cli/main.js', import.meta.url))

/**
 * The environment for a child `tagstone`: without the hooks tap puts in
 * NODE_OPTIONS, which make every child process start far slower.
 */
function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _hooks, ...rest } = env
  return rest
}

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `tagstone <args>` to its end (bounded by `timeoutMs`). */
export function runTagstone(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TAGSTONE, ...args], {
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 20_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

export interface ServeProcess {
  url: string
  child: ChildProcess
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string
  /** SIGTERM, then waits for the exit; safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts `tagstone serve <args> --port 0` and resolves once it listens, with
 * the URL it logged. Rejects (and kills it) if it exits or is silent too long.
 */
export function startServe(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [TAGSTONE, 'serve', '--port', '0', ...args], {
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`tagstone serve did not listen within ${options.timeoutMs ?? 15_000} ms:\n${output}`)),
      options.timeoutMs ?? 15_000,
    )
    const fail = (err: Error) => {
      clearTimeout(timer)
      void stop().then(() => reject(err))
    }
    const onData = (d: Buffer) => {
      output += d.toString()
      const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (listening) {
        clearTimeout(timer)
        resolve({ url: listening[1]!, child, output: () => output, stop })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => fail(new Error(`tagstone serve exited with ${code} before listening:\n${output}`)))
  })
}
