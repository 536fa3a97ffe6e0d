import { TagstoneError } from '../engine/errors.js'

/** `--url` and `--token`, which every command that talks to a running server takes. */
export const SERVER_OPTIONS = { url: { type: 'string' }, token: { type: 'string' } } as const

export const DEFAULT_URL = 'http://127.0.0.1:7070'

export interface ServerReply {
  body: Buffer
  json<T>(): T
}

/**
 * The REST API of a running tagstone: `--url`, then `TAGSTONE_URL`, then
 * 127.0.0.1:7070; the token from `--token`, then `TAGSTONE_TOKEN`. A refusal
 * (any 4xx or 5xx) throws `SERVER_REFUSED` with the server's faultstring (exit 1);
 * a server that cannot be reached throws `SERVER_UNREACHABLE` (exit 2).
 */
export function serverClient(values: { url?: string | undefined; token?: string | undefined }, env = process.env) {
  const base = (values.url ?? env.TAGSTONE_URL ?? DEFAULT_URL).replace(/\/+$/, '')
  const token = values.token ?? env.TAGSTONE_TOKEN
  return async (method: string, path: string, accept = 'application/json'): Promise<ServerReply> => {
    let response: Response
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { accept, ...(token ? { 'x-auth-token': token } : {}) },
      })
    } catch (err) {
      const why = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message
      throw new TagstoneError('SERVER_UNREACHABLE', `cannot reach ${base}: ${why}`)
    }
    const body = Buffer.from(await response.arrayBuffer())
    if (!response.ok) throw new TagstoneError('SERVER_REFUSED', `${response.status}: ${faultstringOf(body)}`)
    return { body, json: <T>() => JSON.parse(body.toString('utf8')) as T }
  }
}

function faultstringOf(body: Buffer): string {
  try {
    const fault = JSON.parse(body.toString('utf8')) as { faultstring?: unknown }
    if (typeof fault.faultstring === 'string') return fault.faultstring
  } catch {
    // Not JSON: the body itself says what went wrong.
  }
  return body.toString('utf8').trim() || 'no reason given'
}
