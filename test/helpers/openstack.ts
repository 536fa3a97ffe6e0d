import { execFile } from 'node:child_process'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the real `openstack` client against a tagstone endpoint, as a user would
 * type it, with no cloud config or OS_* variable of the caller's leaking in.
 * A hung client is killed after `timeoutMs`.
 */
export function openstack(
  endpoint: string,
  args: string[],
  options: { cwd: string; token?: string; timeoutMs?: number },
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_')) env[k] = v
  // The client zips `--file` uploads into the temp dir and may cache there: keep it inside the test's dir.
  env.TMPDIR = options.cwd
  env.HOME = options.cwd
  const auth = ['--os-auth-type', 'admin_token', '--os-endpoint', endpoint, '--os-token', options.token ?? 'anything']
  return new Promise((resolve) => {
    execFile(
      'openstack',
      [...auth, ...args],
      { cwd: options.cwd, env, timeout: options.timeoutMs ?? 60_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/** Parses the JSON an `-f json` command printed, naming the command in the error if it is not JSON. */
export function parseJson<T>(result: CliResult, what: string): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`${what}: exit ${result.code}, not JSON:\n${result.stdout}\n${result.stderr}`)
  }
}
