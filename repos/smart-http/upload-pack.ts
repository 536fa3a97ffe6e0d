import { Readable } from 'node:stream'

import { type ClientOptions, parseClientCapabilities } from './capabilities.js'
import { negotiate } from './negotiate.js'
import type { PackResponses, PreparedPack } from './pack-response.js'
import { encodePktLine } from './pkt-line.js'
import { isPublic } from './reachability.js'
import type { OpenRepositories, RepositoryState } from './repository-state.js'
import { frameSideBand } from './side-band.js'
import { parseUploadRequest } from './upload-request.js'

export interface UploadPackOptions {
  /** Told about a failure in the middle of a pack, after the response has started. */
  onError?: (error: unknown) => void
  /** Told once a pack has been sent whole: a clone (no `have` lines) or a fetch, and its bytes on the wire. */
  onPackSent?: (sent: { kind: 'clone' | 'fetch'; bytes: number }) => void
}

/**
 * Answers `POST git-upload-pack` (protocol v0, stateless RPC). A negotiation round gets its
 * ACK/NAK lines as a Buffer; the final request (`done`) gets a stream: the last ACK/NAK, then the
 * pack, framed in side-band when the client asked for it. Malformed bodies throw a GIT_BAD_REQUEST error.
 */
export async function uploadPack(
  server: { repositories: OpenRepositories; packs: PackResponses },
  gitdir: string,
  body: Buffer,
  options: UploadPackOptions = {},
): Promise<Buffer | Readable> {
  const request = parseUploadRequest(body)
  if (request.end === 'empty') return Buffer.alloc(0)
  const lease = await server.repositories.open(gitdir)
  let streaming = false
  try {
    const { state } = lease
    const stranger = await findUnservableWant(state, request.wants)
    if (stranger !== undefined) return encodePktLine(`ERR upload-pack: not our ref ${stranger}\n`)
    const client = parseClientCapabilities(request.capabilities)
    const negotiation = await negotiate(
      state.store,
      request.wants,
      request.haves,
      request.end === 'done',
      client,
      async (oid) => await isPublic(state, oid),
    )
    if (request.end !== 'done') return Buffer.concat(negotiation.lines)
    const pack = await server.packs.prepare(state, {
      wants: request.wants,
      common: negotiation.common,
      includeTag: client.includeTag,
      ofsDelta: client.ofsDelta,
    })
    const kind = request.haves.length === 0 ? 'clone' : 'fetch'
    const chunks = countSent(responseChunks(negotiation.lines, pack, client, options), (bytes) =>
      options.onPackSent?.({ kind, bytes }),
    )
    const stream = Readable.from(chunks, { objectMode: false })
    stream.once('close', lease.release)
    streaming = true
    return stream
  } finally {
    if (!streaming) lease.release()
  }
}

/** Passes chunks on, and tells their total once the last has gone (not when the client hangs up midway). */
async function* countSent(chunks: AsyncIterable<Buffer>, done: (bytes: number) => void): AsyncGenerator<Buffer> {
  let bytes = 0
  for await (const chunk of chunks) {
    bytes += chunk.length
    yield chunk
  }
  done(bytes)
}

async function* responseChunks(
  ackLines: Buffer[],
  pack: PreparedPack,
  client: ClientOptions,
  options: UploadPackOptions,
): AsyncGenerator<Buffer> {
  yield Buffer.concat(ackLines)
  const progress = !client.noProgress
  yield* frameSideBand(client.sideBand, pack.chunks, {
    ...(progress ? { before: `Enumerating objects: ${pack.objectCount}, done.\n` } : {}),
    after: () => {
      const stats = pack.stats()
      if (!progress || stats === undefined) return undefined
      return `Total ${stats.objects} (delta ${stats.deltas}), reused ${stats.reused} (delta ${stats.deltas})\n`
    },
    onError: (error) => {
      options.onError?.(error)
    },
  })
}

/**
 * The first want we will not serve, if any. Advertised tips are always fine. As with git's own
 * stateless upload-pack, so is a commit that the advertised refs reach: refs may move between the
 * client's GET and its POST, and history the client could clone anyway reveals nothing. Anything
 * else (a hidden archive blob, an object of a deleted version, a made-up id) is refused.
 */
async function findUnservableWant(state: RepositoryState, wants: string[]): Promise<string | undefined> {
  for (const want of wants) {
    if (!(await isPublic(state, want))) return want
  }
  return undefined
}
