import { readFile } from 'node:fs/promises'
import path from 'node:path'

import { isOid } from '../git/object-types.js'
import { listRefs } from '../git/refs.js'
import { isVersionTagRef } from '../git/version-tags.js'
import { MAIN_REF } from '../package-refs.js'

export interface RawRefs {
  /** HEAD's symbolic target (`refs/heads/main`), when HEAD is symbolic. */
  headTarget?: string
  /** HEAD's own oid, when HEAD is detached. */
  headOid?: string
  /** Advertisable refs by name, loose files winning over `packed-refs`. */
  refs: Map<string, string>
}

/**
 * Only the branch and the version tags are public. Everything else (`refs/archives/*` holding the
 * uploaded zips, anything the engine may keep for itself) is hidden: never advertised, and its
 * objects are never sent unless public refs reach them.
 */
export function isAdvertisedRef(name: string): boolean {
  return name === MAIN_REF || isVersionTagRef(name)
}

const PUBLIC_DIRS = ['refs/heads/', 'refs/tags/']

/** Reads HEAD and the public refs straight from the files, with no git binary. */
export async function readRawRefs(gitdir: string): Promise<RawRefs> {
  const [head, all] = await Promise.all([readFile(path.join(gitdir, 'HEAD'), 'utf8'), listRefs(gitdir, PUBLIC_DIRS)])
  const refs = new Map([...all].filter(([name]) => isAdvertisedRef(name)))
  const headText = head.trim()
  if (headText.startsWith('ref: ')) return { headTarget: headText.slice(5).trim(), refs }
  return isOid(headText) ? { headOid: headText, refs } : { refs }
}
