import { serverCapabilities } from './capabilities.js'
import { encodePktLine, FLUSH_PKT } from './pkt-line.js'
import type { OpenRepositories, RepositoryState } from './repository-state.js'

const ZERO_OID = '0'.repeat(40)

/**
 * The body of `GET info/refs?service=git-upload-pack` (protocol v0): the service banner, then
 * HEAD carrying the capabilities, the public refs with annotated tags followed by their peeled
 * `^{}` line, then a flush. Clients asking for protocol v2 get this too and fall back to v0.
 */
export async function advertiseRefs(repositories: OpenRepositories, gitdir: string): Promise<Buffer> {
  const lease = await repositories.open(gitdir)
  try {
    return Buffer.concat([encodePktLine('# service=git-upload-pack\n'), FLUSH_PKT, ...refLines(lease.state), FLUSH_PKT])
  } finally {
    lease.release()
  }
}

function refLines(state: RepositoryState): Buffer[] {
  const lines: Array<[string, string]> = []
  if (state.headOid !== undefined) lines.push([state.headOid, 'HEAD'])
  for (const ref of state.refs) {
    lines.push([ref.oid, ref.name])
    if (ref.peeled !== undefined) lines.push([ref.peeled, `${ref.name}^{}`])
  }
  // An empty repository still has to carry the capabilities somewhere.
  if (lines.length === 0) lines.push([ZERO_OID, 'capabilities^{}'])
  const capabilities = serverCapabilities(state.headOid === undefined ? undefined : state.headTarget).join(' ')
  return lines.map(([oid, name], index) =>
    encodePktLine(index === 0 ? `${oid} ${name}\0${capabilities}\n` : `${oid} ${name}\n`),
  )
}
