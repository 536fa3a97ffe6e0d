/**
 * Answers as the server gave them (a function `hello`, its version 1 and an alias `prod`, made
 * through the API and copied here), shown as examples in the API description. The test of the
 * description checks that each still fits its schema and has every field a real answer has.
 */
export const FUNCTION_EXAMPLE = {
  id: '202ee911-803d-4ebd-b0e7-36102e22f249',
  name: 'hello',
  description: 'says hello',
  count: 0,
  code: '{"source":"package","md5sum":"1bcbc3ba6eb1b28ba71684b345282441"}',
  runtime_id: 'python3',
  entry: 'main.main',
  project_id: 'default',
  created_at: '2026-11-28 14:19:16',
  updated_at: null,
  cpu: 100,
  memory_size: 33554432,
  timeout: 5,
  latest_version: 1,
  commit: '9b08ca8ceeb954860b700d64a75005c926faf717',
  tree: '2bfedf4d700ada19230d5945848a4a4afa7df6de',
}

export const VERSION_EXAMPLE = {
  id: 'd472f810-301a-480d-9d5f-a87baa187a51',
  description: 'first release',
  function_id: '202ee911-803d-4ebd-b0e7-36102e22f249',
  count: 0,
  version_number: 1,
  status: 'available',
  project_id: 'default',
  created_at: '2026-11-28 14:19:16',
  updated_at: null,
  tag: 'v1',
  tag_object: 'd704f09eb563c500b67d829e4a3b02313e8c7a86',
  commit: '9b08ca8ceeb954860b700d64a75005c926faf717',
  tree: '2bfedf4d700ada19230d5945848a4a4afa7df6de',
  md5sum: '1bcbc3ba6eb1b28ba71684b345282441',
  sha256: '738510cfd169828b3fe96ef32cd2ca52427f2e966e4a7e21b3653e7f7ac3f8f9',
  size: 145,
}

export const ALIAS_EXAMPLE = {
  id: 'f9a9b88e-2c9e-4ded-9197-8a07a64df81d',
  name: 'prod',
  description: 'what users get',
  function_id: '202ee911-803d-4ebd-b0e7-36102e22f249',
  function_version: 1,
  project_id: 'default',
  created_at: '2026-11-28 14:19:16',
  updated_at: null,
}

/** One real refusal for each status the API answers with. */
export const FAULT_EXAMPLES: Record<number, { faultstring: string; error: string }> = {
  400: { faultstring: 'Invalid cpu: must be between 100 and 300.', error: 'INVALID_FIELD' },
  401: { faultstring: 'Authentication required: send a valid X-Auth-Token header.', error: 'UNAUTHENTICATED' },
  403: {
    faultstring: 'Function package not changed since the latest version 1.',
    error: 'VERSION_UNCHANGED',
  },
  404: { faultstring: 'Function 202ee911-803d-4ebd-b0e7-36102e22f249 not found.', error: 'FUNCTION_NOT_FOUND' },
  405: {
    faultstring:
      'PATCH is not allowed on /v1/functions/202ee911-803d-4ebd-b0e7-36102e22f249: use DELETE, GET, HEAD, PUT.',
    error: 'METHOD_NOT_ALLOWED',
  },
  409: { faultstring: 'Alias prod already exists.', error: 'ALIAS_EXISTS' },
  413: { faultstring: 'The package is larger than the limit of 52428800 bytes.', error: 'PACKAGE_TOO_LARGE' },
}
