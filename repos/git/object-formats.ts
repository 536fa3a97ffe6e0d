/** Serialisers and the one set of parsers for git's commit, tag and tree object bodies. */

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

/** Header fields of a commit or tag (`tree`, `parent`, `object`, `tag`...), every value of each, plus the message. */
export function parseHeaders(content: Buffer): { headers: Map<string, string[]>; message: string } {
  const split = content.indexOf('\n\n')
  const headers = new Map<string, string[]>()
  for (const line of content.toString('utf8', 0, split === -1 ? content.length : split).split('\n')) {
    // A continuation line (a signature's body) belongs to the header above it.
    if (line.startsWith(' ')) continue
    const space = line.indexOf(' ')
    const key = line.slice(0, space)
    const values = headers.get(key)
    if (values === undefined) headers.set(key, [line.slice(space + 1)])
    else values.push(line.slice(space + 1))
  }
  return { headers, message: split === -1 ? '' : content.toString('utf8', split + 2) }
}

export interface CommitFields {
  /** Empty when the commit names none (a damaged object). */
  tree: string
  parents: string[]
  message: string
}

export function parseCommit(content: Buffer): CommitFields {
  const { headers, message } = parseHeaders(content)
  return { tree: headers.get('tree')?.[0] ?? '', parents: headers.get('parent') ?? [], message }
}

export interface TagFields {
  object: string
  type: string
  name: string
  /** The whole tagger line after `tagger `. */
  tagger: string
  /** Tagger time, seconds since the epoch. */
  time: number | null
  message: string
}

/** The fields of an annotated tag; a missing header reads as ''. */
export function parseTag(content: Buffer): TagFields {
  const { headers, message } = parseHeaders(content)
  const tagger = headers.get('tagger')?.[0] ?? ''
  const time = /> (\d+) [+-]\d{4}$/.exec(tagger)?.[1]
  return {
    object: headers.get('object')?.[0] ?? '',
    type: headers.get('type')?.[0] ?? '',
    name: headers.get('tag')?.[0] ?? '',
    tagger,
    time: time === undefined ? null : Number(time),
    message,
  }
}

/** One entry of a tree: `40000` a subtree, `160000` a submodule's commit, anything else a blob. */
export interface TreeEntry {
  mode: string
  name: string
  oid: string
}

export const TREE_MODE = '40000'
export const SUBMODULE_MODE = '160000'

/** Whether an entry is a subtree; git once wrote the mode with a leading zero. */
export function isTreeMode(mode: string): boolean {
  return mode === TREE_MODE || mode === '040000'
}

/**
 * An entry read from a tree's bytes. The name is decoded only when asked for: a clone's walk
 * reads every tree of the history and needs only modes and ids.
 */
class ParsedTreeEntry implements TreeEntry {
  readonly mode: string
  readonly oid: string

  constructor(
    private readonly content: Buffer,
    start: number,
    private readonly space: number,
    private readonly nul: number,
  ) {
    this.mode = content.toString('latin1', start, space)
    this.oid = content.toString('hex', nul + 1, nul + 21)
  }

  get name(): string {
    return this.content.toString('utf8', this.space + 1, this.nul)
  }
}

/** The entries of a tree, or undefined when its bytes are malformed. */
export function parseTree(content: Buffer): TreeEntry[] | undefined {
  const entries: TreeEntry[] = []
  let at = 0
  while (at < content.length) {
    const space = content.indexOf(0x20, at)
    const nul = content.indexOf(0, space + 1)
    if (space < 0 || nul < 0 || nul + 21 > content.length) return undefined
    entries.push(new ParsedTreeEntry(content, at, space, nul))
    at = nul + 21
  }
  return entries
}

/** Git orders tree entries bytewise, with directory names compared as if they ended in '/'. */
function sortKey(e: TreeEntry): Buffer {
  return Buffer.from(isTreeMode(e.mode) ? `${e.name}/` : e.name)
}

export function formatTree(entries: TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)))
  return Buffer.concat(
    sorted.map((e) => Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.oid, 'hex')])),
  )
}
