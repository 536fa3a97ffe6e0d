import type { AddressInfo } from 'node:net'

import type { FastifyInstance } from 'fastify'

import { type Engine, type EngineOptions, openEngine } from '../../engine/engine.js'
import { buildApp } from '../../server/app.js'
import type { Authenticate } from '../../server/request-context.js'
import { gitBasicAuthenticate, tokenAuthenticate } from '../../server/token-auth.js'

export interface RunningServer {
  url: string
  engine: Engine
  app: FastifyInstance
  close(): Promise<void>
}

/**
 * The real app on a real socket (127.0.0.1, a free port) over a real data directory. `tokens`:
 * REST and git authenticate with the engine's own tokens, as `serve` does.
 */
export async function startServer(
  options: Partial<EngineOptions> & { dataDir: string; authenticate?: Authenticate; tokens?: boolean },
): Promise<RunningServer> {
  const engine = await openEngine(options)
  const auth = options.tokens
    ? { authenticate: tokenAuthenticate(engine.tokens), authenticateGit: gitBasicAuthenticate(engine.tokens) }
    : options.authenticate
      ? { authenticate: options.authenticate }
      : {}
  const app = await buildApp({ engine, ...auth })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    engine,
    app,
    async close() {
      await app.close()
      engine.close()
    },
  }
}

/** Posts a multipart function create the way the openstack client does. */
export function functionForm(zip: Buffer | undefined, fields: Record<string, string> = {}): FormData {
  const form = new FormData()
  const all = { name: 'fn', runtime_id: 'python3', code: JSON.stringify({ source: 'package' }), ...fields }
  for (const [k, v] of Object.entries(all)) form.append(k, v)
  if (zip) form.append('package', new Blob([new Uint8Array(zip)]), 'package.zip')
  return form
}
