/**
 * Answers as the server gave them (a function `hello`, its version 1 and an alias `prod`, made
 * through the API and copied here), shown as examples in the API description. The test of the
 * description checks that each still fits its schema and has every field a real answer has.
 */
export const FUNCTION_EXAMPLE = {
  id: '6e5aa66c-65f9-4d47-9765-592b208f9c08',
  name: 'hello',
  description: 'says hello',
  count: 0,
  code: '{"source":"package","md5sum":"3122ec88a9c52fc4275c325d17602de9"}',
  runtime_id: 'python3',
  entry: 'main.main',
  project_id: 'default',
  created_at: '2026-11-28 17:50:20',
  updated_at: null,
  cpu: 100,
  memory_size: 33554432,
  timeout: 5,
  latest_version: 1,
  version_retention: 0,
  commit: '50fe3e7a36953c16a4b994a7c12956d52fe70e4f',
  tree: '2bfedf4d700ada19230d5945848a4a4afa7df6de',
  etag: '"4b0590c0f64fc3ddbe2bb106"',
}

export const VERSION_EXAMPLE = {
  id: '4e82085f-0261-4992-a08f-eb43dd02f0d3',
  description: 'first release',
  function_id: '6e5aa66c-65f9-4d47-9765-592b208f9c08',
  count: 0,
  version_number: 1,
  status: 'available',
  project_id: 'default',
  created_at: '2026-11-28 17:50:20',
  updated_at: null,
  tag: 'v1',
  tag_object: '7b97800cb14536365eaa65c4dbbb62747f90d44d',
  commit: '50fe3e7a36953c16a4b994a7c12956d52fe70e4f',
  tree: '2bfedf4d700ada19230d5945848a4a4afa7df6de',
  md5sum: '3122ec88a9c52fc4275c325d17602de9',
  sha256: '57b539cfc474ad71004e35a040585c882c0380b0d1e1973447758d65804d6904',
  size: 195,
  config: {
    entry: 'main.main',
    runtime_id: 'python3',
    cpu: 100,
    memory_size: 33554432,
    timeout: 5,
  },
  etag: '"c0829f281c56683c1e4a8162"',
}

export const ALIAS_EXAMPLE = {
  id: 'b0e1b77f-ee31-40fd-a379-5d27379f1d00',
  name: 'prod',
  description: 'what users get',
  function_id: '6e5aa66c-65f9-4d47-9765-592b208f9c08',
  function_version: 1,
  routing_config: null,
  project_id: 'default',
  created_at: '2026-11-28 17:50:20',
  updated_at: null,
  etag: '"58cc036e3b5f9bf32199bab8"',
}

/** One real refusal for each status the API answers with. */
export const FAULT_EXAMPLES: Record<number, { faultstring: string; error: string }> = {
  400: { faultstring: 'Invalid cpu: must be between 100 and 300.', error: 'INVALID_FIELD' },
  401: { faultstring: 'Authentication required: send a valid X-Auth-Token header.', error: 'UNAUTHENTICATED' },
  403: {
    faultstring: 'Function package not changed since the latest version 1.',
    error: 'VERSION_UNCHANGED',
  },
  404: { faultstring: 'Function 6e5aa66c-65f9-4d47-9765-592b208f9c08 not found.', error: 'FUNCTION_NOT_FOUND' },
  405: {
    faultstring:
      'PATCH is not allowed on /v1/functions/6e5aa66c-65f9-4d47-9765-592b208f9c08: use DELETE, GET, HEAD, PUT.',
    error: 'METHOD_NOT_ALLOWED',
  },
  409: { faultstring: 'Alias prod already exists.', error: 'ALIAS_EXISTS' },
  412: {
    faultstring:
      'Precondition failed: If-Match "x" does not name the current state (ETag "4b0590c0f64fc3ddbe2bb106"); read it again and retry.',
    error: 'PRECONDITION_FAILED',
  },
  413: { faultstring: 'The package is larger than the limit of 52428800 bytes.', error: 'PACKAGE_TOO_LARGE' },
}
