import { Type } from '@sinclair/typebox'

import { PageQuery } from './paging.js'

/** The body of every error response. */
export const Fault = Type.Object({ faultstring: Type.String(), error: Type.Optional(Type.String()) })

/** The error statuses a route may answer with, for its response schema. */
export const faults = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Fault]))

export const FunctionParams = Type.Object({ id: Type.String() })
export const VersionParams = Type.Object({ id: Type.String(), version: Type.String() })
export const AliasParams = Type.Object({ name: Type.String() })
export const DownloadQuery = Type.Object({ download: Type.Optional(Type.String()) })
export const ListFunctionsQuery = Type.Object({
  all_projects: Type.Optional(Type.String()),
  project_id: Type.Optional(Type.String()),
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

export const truthy = (value: string | undefined) => value !== undefined && /^(true|1|yes)$/i.test(value)
