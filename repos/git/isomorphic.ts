import fs from 'node:fs'

import git from 'isomorphic-git'

import { type GitObject, isObjectType } from './object-types.js'

/** isomorphic-git keeps parsed pack indexes here between calls. */
const cache = {}

/** A packed object, or undefined when no pack holds it. */
export async function readPackedObject(gitdir: string, oid: string): Promise<GitObject | undefined> {
  try {
    const found = await git.readObject({ fs, gitdir, oid, format: 'content', cache })
    if (!isObjectType(found.type)) return undefined
    return { type: found.type, content: Buffer.from(found.object as Uint8Array) }
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined
    throw error
  }
}
