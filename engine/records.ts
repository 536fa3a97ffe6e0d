import { type Static, Type } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const Time = Type.String({ description: 'UTC, YYYY-MM-DD HH:MM:SS' })

/** Who owns a resource and when it was made and last changed: every record has these. */
const Owned = { project_id: Type.String(), created_at: Time, updated_at: Nullable(Time) }
/** The git identity of a package: its commit and that commit's tree. */
const GitCode = { commit: Type.String(), tree: Type.String() }

/** A function as the Qinling API shows it, plus the git identity of its current code. */
export const FunctionRecord = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  description: Nullable(Type.String()),
  count: Type.Integer(),
  code: Type.String({ description: 'JSON: {"source": "package", "md5sum": "..."}' }),
  runtime_id: Nullable(Type.String()),
  entry: Type.String(),
  ...Owned,
  cpu: Type.Integer(),
  memory_size: Type.Integer(),
  timeout: Type.Integer(),
  latest_version: Type.Integer(),
  ...GitCode,
})
export type FunctionRecord = Static<typeof FunctionRecord>

/** A function's entry, runtime and limits, as a version records them (spec 8). */
export const ConfigSnapshot = Type.Object({
  entry: Type.String(),
  runtime_id: Nullable(Type.String()),
  cpu: Type.Integer(),
  memory_size: Type.Integer(),
  timeout: Type.Integer(),
})

export const VersionRecord = Type.Object({
  id: Type.String(),
  description: Type.String(),
  function_id: Type.String(),
  count: Type.Integer(),
  version_number: Type.Integer(),
  status: Type.Union([Type.Literal('available'), Type.Literal('detached')]),
  ...Owned,
  tag: Type.String(),
  tag_object: Type.String(),
  ...GitCode,
  md5sum: Type.String(),
  sha256: Type.String(),
  size: Type.Integer(),
  config: Type.Union([ConfigSnapshot, Type.Null()], {
    description: 'what the function ran with when the version was made; null for versions made before this was kept',
  }),
})
export type VersionRecord = Static<typeof VersionRecord>

export const AliasRecord = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  function_id: Type.String(),
  function_version: Type.Integer(),
  ...Owned,
})
export type AliasRecord = Static<typeof AliasRecord>

/** A package to hand back byte-exact. */
export interface Download {
  bytes: Buffer
  md5sum: string
  filename: string
}
