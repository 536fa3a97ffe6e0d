import { formatPatch, type StructuredPatch, structuredPatch } from 'diff'

import type { ObjectReader, TreeChange } from './tree-diff.js'

/** As git: a NUL in the first 8,000 bytes makes a file binary. */
const SNIFF_BYTES = 8000
/** Bigger files are counted as binary: no line diff of them is made. */
export const MAX_TEXT_BYTES = 1024 * 1024
const CONTEXT_LINES = 3

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'type_changed'

/** One changed file; `additions`/`deletions` are null for a binary file, as git's numstat prints `-`. */
export interface FileDiff {
  path: string
  status: ChangeStatus
  old_mode: string | null
  new_mode: string | null
  old_oid: string | null
  new_oid: string | null
  binary: boolean
  additions: number | null
  deletions: number | null
}

export const isBinary = (content: Buffer) =>
  content.length > MAX_TEXT_BYTES || content.subarray(0, SNIFF_BYTES).includes(0)

/** A regular file (either mode), a symlink or a submodule: a change between kinds is a type change. */
const kindOf = (mode: string) => (mode === '120000' || mode === '160000' ? mode : 'file')

function statusOf(c: TreeChange): ChangeStatus {
  if (c.oldMode === null) return 'added'
  if (c.newMode === null) return 'deleted'
  return kindOf(c.oldMode) === kindOf(c.newMode) ? 'modified' : 'type_changed'
}

/** One side of a change: its mode and bytes, or nothing. */
interface Side {
  mode: string
  content: Buffer
}

/**
 * A changed file as JSON and as its part of a git patch. The patch is bytes: file contents
 * go through as they are (read as latin1, one char per byte), whatever their encoding.
 */
export async function diffChange(read: ObjectReader, c: TreeChange): Promise<{ file: FileDiff; patch: Buffer }> {
  const [before, after] = await Promise.all([side(read, c.oldMode, c.oldOid), side(read, c.newMode, c.newOid)])
  const status = statusOf(c)
  const binary = (before !== null && isBinary(before.content)) || (after !== null && isBinary(after.content))
  // git shows a type change as the old file deleted and the new one added.
  const parts =
    status === 'type_changed'
      ? [filePatch(c.path, before, null), filePatch(c.path, null, after)]
      : [filePatch(c.path, before, after)]
  const counted = parts.map((p) => p.counts)
  return {
    file: {
      path: c.path,
      status,
      old_mode: c.oldMode,
      new_mode: c.newMode,
      old_oid: c.oldOid,
      new_oid: c.newOid,
      binary,
      additions: binary ? null : counted.reduce((n, x) => n + x.additions, 0),
      deletions: binary ? null : counted.reduce((n, x) => n + x.deletions, 0),
    },
    patch: Buffer.concat(parts.map((p) => Buffer.from(p.text, 'latin1'))),
  }
}

async function side(read: ObjectReader, mode: string | null, oid: string | null): Promise<Side | null> {
  if (mode === null || oid === null) return null
  return { mode, content: (await read(oid)).content }
}

function filePatch(path: string, before: Side | null, after: Side | null) {
  const binary = (before !== null && isBinary(before.content)) || (after !== null && isBinary(after.content))
  const oldName = before ? `a/${path}` : '/dev/null'
  const newName = after ? `b/${path}` : '/dev/null'
  const same = before !== null && after !== null && before.content.equals(after.content)
  const patch: StructuredPatch =
    binary || same
      ? { oldFileName: oldName, newFileName: newName, oldHeader: undefined, newHeader: undefined, hunks: [] }
      : structuredPatch(
          oldName,
          newName,
          before?.content.toString('latin1') ?? '',
          after?.content.toString('latin1') ?? '',
          undefined,
          undefined,
          { context: CONTEXT_LINES },
        )
  patch.isGit = true
  if (!before) patch.isCreate = true
  if (!after) patch.isDelete = true
  if (before) patch.oldMode = before.mode
  if (after) patch.newMode = after.mode
  if (before && after && before.mode === after.mode) {
    delete patch.oldMode
    delete patch.newMode
  }
  let text = formatPatch(patch)
  if (binary && !same) text += `Binary files ${quotePath(oldName)} and ${quotePath(newName)} differ\n`
  const counts = { additions: 0, deletions: 0 }
  for (const hunk of patch.hunks)
    for (const line of hunk.lines) {
      if (line.startsWith('+')) counts.additions++
      else if (line.startsWith('-')) counts.deletions++
    }
  return { text, counts }
}

const ESCAPES: Record<number, string> = {
  7: 'a',
  8: 'b',
  9: 't',
  10: 'n',
  11: 'v',
  12: 'f',
  13: 'r',
  34: '"',
  92: '\\',
}

/** A path as git prints it: C-quoted, with octal UTF-8 bytes, when it holds anything but printable ASCII. */
export function quotePath(path: string): string {
  const bytes = Buffer.from(path, 'utf8')
  if (bytes.every((b) => b >= 0x20 && b < 0x7f && b !== 34 && b !== 92)) return path
  let out = '"'
  for (const b of bytes) {
    if (ESCAPES[b] !== undefined) out += `\\${ESCAPES[b]}`
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, '0')}`
    else out += String.fromCharCode(b)
  }
  return `${out}"`
}
