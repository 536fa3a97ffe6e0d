/** The four object kinds a packfile may carry whole, with their pack type codes. */
export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag'

export const PACK_TYPE_CODE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 }
export const OBJ_OFS_DELTA = 6
export const OBJ_REF_DELTA = 7

const TYPE_BY_CODE: ReadonlyArray<ObjectType | undefined> = [undefined, 'commit', 'tree', 'blob', 'tag']

export function objectTypeForCode(code: number): ObjectType | undefined {
  return TYPE_BY_CODE[code]
}

export function isObjectType(name: string): name is ObjectType {
  return name === 'commit' || name === 'tree' || name === 'blob' || name === 'tag'
}

export interface GitObject {
  type: ObjectType
  content: Buffer
}

const OID = /^[0-9a-f]{40}$/

export function isOid(text: string): boolean {
  return OID.test(text)
}
