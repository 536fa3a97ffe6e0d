import { createFunction } from './create-function.js'
import { createVersion } from './create-version.js'
import { deleteFunction } from './delete-function.js'
import { deleteVersion } from './delete-version.js'
import type { OperationDefinition, OperationTypes } from './operation.js'
import { upload } from './upload.js'

type AnyOperation = OperationDefinition<string, OperationTypes>

/** A registry keyed by each definition's own `kind`, so a key can never name another kind's definition. */
function registryOf<D extends AnyOperation[]>(...definitions: D): { [O in D[number] as O['kind']]: O } {
  return Object.fromEntries(definitions.map((d) => [d.kind, d])) as { [O in D[number] as O['kind']]: O }
}

/** Every operation that touches SQLite and git: what runs them and what settles them after a crash. */
export const OPERATIONS = registryOf(createFunction, upload, deleteFunction, createVersion, deleteVersion)

type Registry = typeof OPERATIONS
export type OperationKind = keyof Registry
type TypesOf<K extends OperationKind> = Registry[K] extends OperationDefinition<K, infer T> ? T : never
export type InputOf<K extends OperationKind> = TypesOf<K>['input']
export type ResultOf<K extends OperationKind> = TypesOf<K>['result']
export type PayloadOf<K extends OperationKind> = TypesOf<K>['payload']

/** The definition of `kind`, typed by its kind. */
export const definitionOf = <K extends OperationKind>(kind: K) =>
  OPERATIONS[kind] as unknown as OperationDefinition<K, TypesOf<K>>

/** The definition a journal row names, or undefined for a kind this code does not know. */
export function definitionOfRow(kind: string): AnyOperation | undefined {
  return Object.hasOwn(OPERATIONS, kind) ? (OPERATIONS as Record<string, AnyOperation>)[kind] : undefined
}
