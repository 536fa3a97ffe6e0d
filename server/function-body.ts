import type { FastifyRequest } from 'fastify'

import type { FieldValue } from '../engine/function-fields.js'
import type { FunctionInput } from '../engine/functions.js'
import { RequestError } from './errors.js'

const FIELD_NAMES = [
  'name',
  'description',
  'runtime_id',
  'entry',
  'cpu',
  'memory_size',
  'timeout',
  'version_retention',
] as const

/**
 * Reads a function create or update from any of the bodies clients send:
 * multipart (with the file `package`), an urlencoded form, or JSON. The code
 * spec comes as `code` (a JSON string or an object) or, from the openstack
 * client's update, as the form fields `source` and `md5sum`.
 */
export async function readFunctionBody(request: FastifyRequest, maxPackageBytes: number): Promise<FunctionInput> {
  const { fields, pkg } = request.isMultipart()
    ? await readMultipart(request, maxPackageBytes)
    : { fields: readPlainBody(request.body), pkg: undefined }
  const input: FunctionInput = { fields: {} }
  for (const name of FIELD_NAMES) if (name in fields) input.fields[name] = fields[name] as FieldValue
  if (fields.code !== undefined && fields.code !== null) input.code = fields.code as FunctionInput['code']
  else if (fields.source !== undefined || fields.md5sum !== undefined)
    input.code = { source: fields.source, md5sum: fields.md5sum }
  if (pkg) input.package = pkg
  return input
}

function readPlainBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body))
    throw new RequestError('BAD_REQUEST', 'The request body must be a JSON object or a form.')
  return body as Record<string, unknown>
}

async function readMultipart(
  request: FastifyRequest,
  maxPackageBytes: number,
): Promise<{ fields: Record<string, unknown>; pkg?: Buffer }> {
  try {
    return await readParts(request, maxPackageBytes)
  } catch (err) {
    // The multipart parser throws plain Errors (no code) for a body that is not the multipart it claims to be.
    if (typeof (err as { code?: unknown }).code === 'string') throw err
    throw new RequestError('BAD_REQUEST', `The multipart body is malformed: ${(err as Error).message}.`)
  }
}

async function readParts(
  request: FastifyRequest,
  maxPackageBytes: number,
): Promise<{ fields: Record<string, unknown>; pkg?: Buffer }> {
  const fields: Record<string, unknown> = {}
  let pkg: Buffer | undefined
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'package')
        throw new RequestError(
          'BAD_REQUEST',
          `Unexpected file field '${part.fieldname}': the package goes in 'package'.`,
        )
      if (pkg) throw new RequestError('BAD_REQUEST', "Only one file 'package' may be sent.")
      pkg = await part.toBuffer().catch((err: { code?: string }) => {
        if (err.code !== 'FST_REQ_FILE_TOO_LARGE') throw err
        throw new RequestError('PACKAGE_TOO_LARGE', `The package is larger than the limit of ${maxPackageBytes} bytes.`)
      })
    } else {
      fields[part.fieldname] = part.value
    }
  }
  return { fields, ...(pkg ? { pkg } : {}) }
}
