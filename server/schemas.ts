import { type TSchema, Type } from '@sinclair/typebox'

import { AliasRecord, FunctionRecord, VersionRecord } from '../engine/records.js'
import { ALIAS_EXAMPLE, FAULT_EXAMPLES, FUNCTION_EXAMPLE, VERSION_EXAMPLE } from './api-examples.js'
import { ListOf, PageQuery } from './paging.js'

/** A schema with real answers attached, which the API description shows. */
const withExamples = <T extends TSchema>(schema: T, ...examples: unknown[]): T => ({ ...schema, examples })

/** The body of every error response. */
export const Fault = Type.Object({ faultstring: Type.String(), error: Type.Optional(Type.String()) })

/** The error statuses a route may answer with, for its response schema. */
export const faults = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, withExamples(Fault, FAULT_EXAMPLES[s])]))

/** The answers of show and list: the engine's record schemas (one module: engine/records.ts), with examples. */
export const FunctionAnswer = withExamples(FunctionRecord, FUNCTION_EXAMPLE)
export const VersionAnswer = withExamples(VersionRecord, VERSION_EXAMPLE)
export const AliasAnswer = withExamples(AliasRecord, ALIAS_EXAMPLE)
export const FunctionList = withExamples(ListOf('functions', FunctionRecord), { functions: [FUNCTION_EXAMPLE] })
export const VersionList = withExamples(ListOf('function_versions', VersionRecord), {
  function_versions: [VERSION_EXAMPLE],
})
export const AliasList = withExamples(ListOf('function_aliases', AliasRecord), { function_aliases: [ALIAS_EXAMPLE] })
/** A 202 of a detach: Qinling's sentence as plain text. */
export const DetachAccepted = withExamples(
  Type.String(),
  'Request to detach function 202ee911-803d-4ebd-b0e7-36102e22f249 has been accepted.',
)
export const NoContent = Type.Null({ description: 'No body.' })

/** A package download (`?download=true`): the bytes uploaded, as `application/zip`. */
const ZipBytes = Type.String({ format: 'binary', description: 'The package exactly as uploaded.' })
/** A show that downloads when asked: the record as JSON, or the package as a zip. */
export const recordOrZip = (record: TSchema) => ({
  description: 'The record; with `?download=true`, the package as `application/zip`.',
  content: { 'application/json': { schema: record }, 'application/zip': { schema: ZipBytes } },
})

export const FunctionParams = Type.Object({ id: Type.String() })
export const VersionParams = Type.Object({ id: Type.String(), version: Type.String() })
export const AliasParams = Type.Object({ name: Type.String() })
export const DownloadQuery = Type.Object({
  download: Type.Optional(Type.String({ description: '`true` answers the package as a zip instead of the record' })),
})
export const ListFunctionsQuery = Type.Object({
  all_projects: Type.Optional(Type.String({ description: 'admin only: `true` lists every project' })),
  project_id: Type.Optional(Type.String({ description: "admin only: list this project's functions" })),
  ...PageQuery,
})
export const VersionListQuery = Type.Object({
  ...PageQuery,
  sort_dir: Type.Optional(Type.String({ description: "'asc' (the default) or 'desc'" })),
})

export const DiffQuery = Type.Object({
  to: Type.Optional(Type.String({ description: "a version number, or 'current' (the default)" })),
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('patch')], {
      description: 'json (the default) or patch; Accept: text/x-diff also asks for the patch',
    }),
  ),
})

/** A field as clients send it: the openstack client sends numbers as strings and null for "leave as is". */
const Loose = Type.Union([Type.String(), Type.Number(), Type.Null()])

/** Null is a request with no body at all (Fastify's value for it); a JSON `null` never gets here: the parser refuses it. */
export const VersionCreateBody = Type.Union([
  Type.Object({ description: Type.Optional(Type.Union([Type.String(), Type.Null()])) }),
  Type.Null(),
])

/** Checked by the engine, which names what is wrong with it. */
const RoutingConfig = Type.Optional(Type.Unknown({ description: '{"additional_version_weights": {"<n>": weight}}' }))

export const AliasCreateBody = Type.Object({
  name: Type.String(),
  function_id: Type.String(),
  function_version: Type.Optional(Loose),
  description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  routing_config: RoutingConfig,
})

export const AliasUpdateBody = Type.Object({
  function_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  function_version: Type.Optional(Loose),
  description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  routing_config: RoutingConfig,
})

export const EventsQuery = Type.Object({
  function_id: Type.Optional(Type.String()),
  action: Type.Optional(Type.String()),
  since: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String()),
  marker: Type.Optional(Type.String()),
  all_projects: Type.Optional(Type.String()),
})

const FormNumber = Type.Union([Type.Integer(), Type.String()])

/** What a function create may carry, as multipart, a form or JSON (read by function-body.ts, checked by the engine). */
export const FunctionCreateForm = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 255 })),
  description: Type.Optional(Type.String({ maxLength: 255 })),
  runtime_id: Type.Optional(Type.String()),
  code: Type.String({ description: 'JSON string: {"source": "package", "md5sum"?: "<md5 of the zip>"}' }),
  entry: Type.Optional(Type.String({ default: 'main.main' })),
  cpu: Type.Optional(FormNumber),
  memory_size: Type.Optional(FormNumber),
  timeout: Type.Optional(FormNumber),
  package: Type.String({ format: 'binary', description: 'the zip' }),
})

/** What a function update may carry; the openstack client sends `source=package` beside a new package. */
export const FunctionUpdateForm = Type.Object({
  ...Type.Omit(FunctionCreateForm, ['code', 'package']).properties,
  code: Type.Optional(FunctionCreateForm.properties.code),
  source: Type.Optional(Type.Literal('package')),
  md5sum: Type.Optional(Type.String()),
  package: Type.Optional(FunctionCreateForm.properties.package),
})

export const truthy = (value: string | undefined) => value !== undefined && /^(true|1|yes)$/i.test(value)
