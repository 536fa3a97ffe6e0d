/** The four kinds of git object. */
export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag'

export function isObjectType(name: string): name is ObjectType {
  return name === 'commit' || name === 'tree' || name === 'blob' || name === 'tag'
}

export interface GitObject {
  type: ObjectType
  content: Buffer
}

const OID = /^[0-9a-f]{40}$/

/** A full SHA-1 object id as git writes it: 40 lowercase hex digits. */
export function isOid(text: string): boolean {
  return OID.test(text)
}
