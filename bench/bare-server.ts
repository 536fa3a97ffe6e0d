/**
 * The baseline for read throughput: a bare Fastify route serving a fixed JSON body, no auth, no
 * database, no schema. Run as its own process by bench/serve-process.ts.
 *
 *   node dist/bench/bare-server.js <file.json>
 */
import { readFileSync } from 'node:fs'

import Fastify from 'fastify'

const file = process.argv[2]
if (file === undefined) throw new Error('usage: bare-server <file.json>')
// Parsed once and serialised on each request, as a route returning an object does.
const body: unknown = JSON.parse(readFileSync(file, 'utf8'))
const app = Fastify()
app.get('/*', async () => body)
const url = await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`listening ${url}\n`)
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)))
