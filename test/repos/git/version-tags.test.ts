import t from 'tap'

import { isVersionTagRef, versionNumberOfTag, versionTagName } from '../../../repos/git/version-tags.js'

t.test('a version number and its tag name go both ways, and nothing else reads as a version', async (t) => {
  for (const n of [1, 7, 10, 999, 1_000_000_000_000_000 - 1]) {
    t.equal(versionNumberOfTag(versionTagName(n)), n, `v${n}`)
  }
  for (const name of ['v0', 'v01', 'V1', 'v1.0', 'v-1', 'v', 'release', ' v1', 'v1 ', 'v10000000000000000']) {
    t.equal(versionNumberOfTag(name), undefined, JSON.stringify(name))
  }
  t.equal(isVersionTagRef('refs/tags/v3'), true)
  t.equal(isVersionTagRef('refs/heads/v3'), false)
  t.equal(isVersionTagRef('refs/tags/v03'), false)
})
