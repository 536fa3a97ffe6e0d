import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'

import type { TAP } from 'tap'

import { functionForm } from './server.js'

/** A tap test, as test callbacks receive it. */
export type Tap = Parameters<Parameters<TAP['test']>[0]>[0]
/** What the helpers assert with. */
export type Asserts = Pick<Tap, 'fail' | 'equal' | 'match' | 'ok'>

export const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

export type Json = Record<string, unknown>

export interface Reply {
  status: number
  headers: Headers
  bytes: Buffer
  text: string
  /** The body as JSON; throws when it is not JSON. */
  json<T = Json>(): T
}

export interface CallOptions {
  json?: unknown
  form?: FormData
  urlencoded?: Record<string, string>
  /** A body sent as is, with the content type given (none when omitted). */
  raw?: { body: string | Buffer; contentType?: string }
  headers?: Record<string, string>
}

/**
 * A client for the REST API over a real socket. Any 5xx fails the test it
 * reports to, whatever the call: bad input must never be a server error.
 */
export class Api {
  constructor(
    readonly url: string,
    private readonly t: Pick<Asserts, 'fail'>,
  ) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers }
    let body: BodyInit | undefined
    if (options.json !== undefined) {
      body = JSON.stringify(options.json)
      headers['content-type'] ??= 'application/json'
    } else if (options.form) {
      body = options.form
    } else if (options.urlencoded) {
      body = new URLSearchParams(options.urlencoded)
    } else if (options.raw) {
      // Bytes, not a string: fetch would add a text/plain content type of its own to a string.
      body = new Uint8Array(Buffer.from(options.raw.body))
      if (options.raw.contentType) headers['content-type'] = options.raw.contentType
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
    const bytes = Buffer.from(await response.arrayBuffer())
    const text = bytes.toString('utf8')
    if (response.status >= 500) this.t.fail(`${method} ${path} answered ${response.status}: ${text}`)
    return {
      status: response.status,
      headers: response.headers,
      bytes,
      text,
      json: <T>() => JSON.parse(text) as T,
    }
  }

  get = (path: string, options?: CallOptions) => this.call('GET', path, options)
  post = (path: string, options?: CallOptions) => this.call('POST', path, options)
  put = (path: string, options?: CallOptions) => this.call('PUT', path, options)
  delete = (path: string, options?: CallOptions) => this.call('DELETE', path, options)

  /** Creates a function from `zip`; throws unless it is created. */
  async createFunction(zip: Buffer, fields: Record<string, string> = {}): Promise<FunctionJson> {
    return expectStatus(await this.post('/v1/functions', { form: functionForm(zip, fields) }), 201).json<FunctionJson>()
  }

  /** Replaces a function's package the way the openstack client does (multipart, `source=package`, no md5). */
  async uploadPackage(id: string, zip: Buffer): Promise<FunctionJson> {
    const form = new FormData()
    form.append('source', 'package')
    form.append('package', new Blob([new Uint8Array(zip)]), 'package.zip')
    return expectStatus(await this.put(`/v1/functions/${id}`, { form }), 200).json<FunctionJson>()
  }

  /** Creates the next version; throws unless it is created. */
  async createVersion(id: string, description?: string): Promise<VersionJson> {
    const reply = await this.post(
      `/v1/functions/${id}/versions`,
      description === undefined ? {} : { json: { description } },
    )
    return expectStatus(reply, 201).json<VersionJson>()
  }

  async createAlias(body: Json): Promise<AliasJson> {
    return expectStatus(await this.post('/v1/aliases', { json: body }), 201).json<AliasJson>()
  }

  async versionNumbers(id: string): Promise<number[]> {
    const list = expectStatus(await this.get(`/v1/functions/${id}/versions`), 200).json<{
      function_versions: VersionJson[]
    }>()
    return list.function_versions.map((v) => v.version_number)
  }
}

/** Throws (failing the test with the body) unless the reply has `status`. */
export function expectStatus(reply: Reply, status: number): Reply {
  if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status}: ${reply.text}`)
  return reply
}

/** Asserts a JSON fault: its status, a JSON body with a non-empty `faultstring`, equal to `faultstring` when given. */
export function expectFault(
  t: Asserts,
  reply: Reply,
  status: number,
  faultstring?: string | RegExp,
  what = 'fault',
): void {
  t.equal(reply.status, status, `${what}: status ${status}`)
  t.match(reply.headers.get('content-type') ?? '', /^application\/json/, `${what}: a JSON body`)
  let fault: Json = {}
  try {
    fault = reply.json()
  } catch {
    t.fail(`${what}: body is not JSON: ${reply.text}`)
    return
  }
  t.ok(typeof fault.faultstring === 'string' && fault.faultstring.length > 0, `${what}: has a faultstring`)
  if (typeof faultstring === 'string') t.equal(fault.faultstring, faultstring, `${what}: faultstring`)
  else if (faultstring) t.match(fault.faultstring, faultstring, `${what}: faultstring`)
}

/** A GET on a plain node socket, so headers such as Accept-Encoding go out as given and nothing is decoded. */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

export interface FunctionJson {
  id: string
  name: string | null
  description: string | null
  count: number
  code: string
  runtime_id: string | null
  entry: string
  project_id: string
  created_at: string
  updated_at: string | null
  cpu: number
  memory_size: number
  timeout: number
  latest_version: number
  [extra: string]: unknown
}

export interface VersionJson {
  id: string
  description: string
  function_id: string
  count: number
  version_number: number
  project_id: string
  status: string
  created_at: string
  updated_at: string | null
  [extra: string]: unknown
}

export interface AliasJson {
  id: string
  name: string
  description: string | null
  function_id: string
  function_version: number
  project_id: string
  created_at: string
  updated_at: string | null
}

/** The md5sum inside a function's `code` JSON string. */
export const codeMd5 = (fn: FunctionJson) => (JSON.parse(fn.code) as { md5sum?: string }).md5sum
