import { createHash } from 'node:crypto'

import { parseCommit, parseTag } from '../../repos/git/object-formats.js'
import { versionTagName } from '../../repos/git/version-tags.js'
import { isTagstoneVersionTag, readVerifiedObject } from '../../repos/inspect-repo.js'
import type { PackageRow, VersionRow } from '../store/rows.js'

/** What git holds compared with what SQLite recorded: fine, or what was found instead. */
export type Verdict<T = object> = ({ ok: true } & T) | { ok: false; missing: boolean; found: string }

/** The tree of a commit that is really there and really a commit. */
export async function commitTree(gitdir: string, oid: string): Promise<Verdict<{ tree: string }>> {
  const obj = await readVerifiedObject(gitdir, oid)
  if (!obj.ok) return { ok: false, missing: obj.why === 'missing', found: obj.detail }
  if (obj.type !== 'commit') return { ok: false, missing: false, found: `${oid} is a ${obj.type}` }
  return { ok: true, tree: parseCommit(obj.content).tree }
}

/** The archive blob is there, intact, and is the upload: its md5, sha256 and size are the recorded ones. */
export async function checkArchive(gitdir: string, pkg: PackageRow): Promise<Verdict> {
  const obj = await readVerifiedObject(gitdir, pkg.archive_blob)
  if (!obj.ok) return { ok: false, missing: obj.why === 'missing', found: obj.detail }
  if (obj.type !== 'blob') return { ok: false, missing: false, found: `${pkg.archive_blob} is a ${obj.type}` }
  const md5 = createHash('md5').update(obj.content).digest('hex')
  const sha256 = createHash('sha256').update(obj.content).digest('hex')
  if (md5 !== pkg.md5sum || sha256 !== pkg.sha256 || obj.content.length !== pkg.size) {
    return { ok: false, missing: false, found: `md5 ${md5} sha256 ${sha256} size ${obj.content.length}` }
  }
  return { ok: true }
}

export const expectedArchive = (pkg: PackageRow) => `md5 ${pkg.md5sum} sha256 ${pkg.sha256} size ${pkg.size}`

/** The tag object a version row records is there, intact, and names the row's commit and `vN`. */
export async function checkTagObject(gitdir: string, v: VersionRow): Promise<Verdict<{ message: string }>> {
  if (!v.tag_oid) return { ok: false, missing: true, found: 'no tag object recorded' }
  const obj = await readVerifiedObject(gitdir, v.tag_oid)
  if (!obj.ok) return { ok: false, missing: obj.why === 'missing', found: obj.detail }
  if (obj.type !== 'tag') return { ok: false, missing: false, found: `${v.tag_oid} is a ${obj.type}` }
  const tag = parseTag(obj.content)
  if (tag.object !== v.commit_oid || tag.type !== 'commit' || tag.name !== versionTagName(v.version_number)) {
    return { ok: false, missing: false, found: `${v.tag_oid}: tag ${tag.name} on ${tag.type} ${tag.object}` }
  }
  return { ok: true, message: tag.message }
}

export const expectedTagObject = (v: VersionRow) =>
  `${v.tag_oid ?? '?'}: tag ${versionTagName(v.version_number)} on commit ${v.commit_oid}`

/**
 * Whether a tag with no version row is one tagstone made for a version:
 * annotated by tagstone, with its own name, on a commit. Such a tag is evidence
 * that its number was handed out, by this database or a later state of it.
 */
export async function isTagstoneTag(gitdir: string, name: string, oid: string): Promise<boolean> {
  const obj = await readVerifiedObject(gitdir, oid)
  if (!obj.ok || obj.type !== 'tag') return false
  return isTagstoneVersionTag(parseTag(obj.content), name)
}

/** The highest version number SQLite shows was handed out: tombstones count, a deleted number stays used. */
export function highestRowNumber(versions: VersionRow[]): number {
  return versions.reduce((m, v) => Math.max(m, v.version_number), 0)
}
