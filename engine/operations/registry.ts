import { createFunction } from './create-function.js'
import { createVersion } from './create-version.js'
import { deleteFunction } from './delete-function.js'
import { deleteVersion } from './delete-version.js'
import type { OperationDefinition, OperationTypes } from './operation.js'
import { pruneVersions } from './prune-versions.js'
import { restoreFunction } from './restore-function.js'
import { upload } from './upload.js'

/**
 * Every operation that touches SQLite and git, by the `kind` its journal rows
 * carry (never renamed: a data directory written by older code names them).
 * What runs an operation and what settles it after a crash both look it up here.
 */
export const OPERATIONS = {
  'create-function': createFunction,
  upload,
  'delete-function': deleteFunction,
  'create-version': createVersion,
  'delete-version': deleteVersion,
  'restore-function': restoreFunction,
  'prune-versions': pruneVersions,
}

type Registry = typeof OPERATIONS
export type OperationKind = keyof Registry
type TypesOf<K extends OperationKind> = Registry[K] extends OperationDefinition<infer T> ? T : never
export type InputOf<K extends OperationKind> = TypesOf<K>['input']
export type ResultOf<K extends OperationKind> = TypesOf<K>['result']
export type PayloadOf<K extends OperationKind> = TypesOf<K>['payload']

/** The definition of `kind`, typed by its kind. */
export const definitionOf = <K extends OperationKind>(kind: K) =>
  OPERATIONS[kind] as unknown as OperationDefinition<TypesOf<K>>

/** The definition a journal row names, or undefined for a kind this code does not know. */
export function definitionOfRow(kind: string): OperationDefinition<OperationTypes> | undefined {
  return Object.hasOwn(OPERATIONS, kind) ? OPERATIONS[kind as OperationKind] : undefined
}
