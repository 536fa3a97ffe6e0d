import { type Static, Type } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const Time = Type.String({ description: 'UTC, YYYY-MM-DD HH:MM:SS' })

/** Who owns a resource and when it was made and last changed: every record has these. */
const Owned = { project_id: Type.String(), created_at: Time, updated_at: Nullable(Time) }
/** The git identity of a package: its commit and that commit's tree. */
const GitCode = { commit: Type.String(), tree: Type.String() }
/** The resource's current ETag, as the `ETag` header gives it: the value for `If-Match`. */
const Etag = { etag: Type.String() }

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
  version_retention: Type.Integer({ description: 'at most this many versions are kept; 0: all' }),
  ...GitCode,
  ...Etag,
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
  ...Etag,
})
export type VersionRecord = Static<typeof VersionRecord>

const DiffEnd = Type.Object({
  version: Type.Union([Type.Integer(), Type.Null()], { description: "null: the function's current package" }),
  ...GitCode,
})
const ConfigValue = Type.Union([Type.String(), Type.Integer(), Type.Null()])
const Mode = Nullable(Type.String({ description: 'git mode: 100644, 100755, 120000 (symlink); null where absent' }))
const Count = Type.Union([Type.Integer(), Type.Null()], { description: 'as git diff --numstat; null for binary' })

/** Two versions (or a version and the current package) compared (spec 8, diff). */
export const VersionDiffRecord = Type.Object({
  from: DiffEnd,
  to: DiffEnd,
  files: Type.Array(
    Type.Object({
      path: Type.String(),
      status: Type.Union(['added', 'modified', 'deleted', 'type_changed'].map((s) => Type.Literal(s))),
      old_mode: Mode,
      new_mode: Mode,
      old_oid: Nullable(Type.String()),
      new_oid: Nullable(Type.String()),
      binary: Type.Boolean(),
      additions: Count,
      deletions: Count,
    }),
  ),
  config: Type.Record(Type.String(), Type.Object({ from: ConfigValue, to: ConfigValue }), {
    description: 'only the config keys that differ',
  }),
  stats: Type.Object({ files_changed: Type.Integer(), additions: Type.Integer(), deletions: Type.Integer() }),
})
export type VersionDiffRecord = Static<typeof VersionDiffRecord>

export const AliasRecord = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  function_id: Type.String(),
  function_version: Type.Integer(),
  routing_config: Type.Union([
    Type.Object({ additional_version_weights: Type.Record(Type.String(), Type.Number()) }),
    Type.Null(),
  ]),
  ...Owned,
  ...Etag,
})
export type AliasRecord = Static<typeof AliasRecord>

/** One change in the audit log. */
export const EventRecord = Type.Object({
  id: Type.Integer(),
  time: Time,
  project_id: Type.String(),
  actor: Type.String({ description: "the token's id, no-auth or cli" }),
  action: Type.String({ description: 'e.g. version.create' }),
  function_id: Nullable(Type.String()),
  version: Type.Union([Type.Integer(), Type.Null()]),
  alias: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
})
export type EventRecord = Static<typeof EventRecord>

/** A package to hand back byte-exact. */
export interface Download {
  bytes: Buffer
  md5sum: string
  filename: string
}
