import type { ObjectType } from '../git/object-types.js'

/** The type codes of pack entries: whole objects 1-4, deltas 6 and 7. */
export const PACK_TYPE_CODE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 }
export const OBJ_OFS_DELTA = 6
export const OBJ_REF_DELTA = 7

const TYPE_BY_CODE: ReadonlyArray<ObjectType | undefined> = [undefined, 'commit', 'tree', 'blob', 'tag']

export function objectTypeForCode(code: number): ObjectType | undefined {
  return TYPE_BY_CODE[code]
}
