/** Serialisers and parsers for git's commit, tag and tree object bodies. */

export interface Signature {
  name: string
  email: string
  /** Seconds since the epoch, UTC. */
  time: number
}

export const TAGSTONE_SIGNATURE = { name: 'tagstone', email: 'tagstone@localhost' }

function signatureLine(sig: Signature): string {
  return `${sig.name} <${sig.email}> ${sig.time} +0000`
}

/** Git stores messages with a final newline; an empty message stays empty. */
function messageBody(message: string): string {
  return message === '' || message.endsWith('\n') ? message : `${message}\n`
}

export function formatCommit(c: { tree: string; parents: string[]; author: Signature; message: string }): Buffer {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)]
  lines.push(`author ${signatureLine(c.author)}`, `committer ${signatureLine(c.author)}`)
  return Buffer.from(`${lines.join('\n')}\n\n${messageBody(c.message)}`)
}

export function formatTag(t: {
  object: string
  type: string
  name: string
  tagger: Signature
  message: string
}): Buffer {
  const head = [`object ${t.object}`, `type ${t.type}`, `tag ${t.name}`, `tagger ${signatureLine(t.tagger)}`]
  return Buffer.from(`${head.join('\n')}\n\n${messageBody(t.message)}`)
}

/** Header fields of a commit or tag (`tree`, `parent`, `object`, `tag`...), first value of each, plus the message. */
export function parseHeaders(content: Buffer): { headers: Map<string, string[]>; message: string } {
  const text = content.toString('utf8')
  const split = text.indexOf('\n\n')
  const head = split === -1 ? text : text.slice(0, split)
  const headers = new Map<string, string[]>()
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) continue
    const space = line.indexOf(' ')
    const key = line.slice(0, space)
    headers.set(key, [...(headers.get(key) ?? []), line.slice(space + 1)])
  }
  return { headers, message: split === -1 ? '' : text.slice(split + 2) }
}

export interface TreeEntry {
  mode: '100644' | '100755' | '120000' | '40000'
  name: string
  oid: string
}

/** Git orders tree entries bytewise, with directory names compared as if they ended in '/'. */
function sortKey(e: TreeEntry): Buffer {
  return Buffer.from(e.mode === '40000' ? `${e.name}/` : e.name)
}

export function formatTree(entries: TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)))
  return Buffer.concat(
    sorted.map((e) => Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.oid, 'hex')])),
  )
}
