import { Type } from '@sinclair/typebox'

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
})

/** A field as clients send it: the openstack client sends numbers as strings and null for "leave as is". */
const Loose = Type.Union([Type.String(), Type.Number(), Type.Null()])

/** Null is a request with no body at all (Fastify's value for it); a JSON `null` never gets here: the parser refuses it. */
export const VersionCreateBody = Type.Union([
  Type.Object({ description: Type.Optional(Type.Union([Type.String(), Type.Null()])) }),
  Type.Null(),
])

export const AliasCreateBody = Type.Object({
  name: Type.String(),
  function_id: Type.String(),
  function_version: Type.Optional(Loose),
  description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})

export const AliasUpdateBody = Type.Object({
  function_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  function_version: Type.Optional(Loose),
  description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})

export const truthy = (value: string | undefined) => value !== undefined && /^(true|1|yes)$/i.test(value)
