import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

import { chromium } from 'playwright-core'
import t from 'tap'

import { startServer } from '../helpers/server.js'

const CHROMIUM = '/usr/bin/chromium'
/** Screenshots are kept here (relative to where the tests run: the repository), ignored by git. */
const ARTIFACTS = join(process.cwd(), 'test-artifacts')

if (!existsSync(CHROMIUM)) {
  t.plan(0, `${CHROMIUM} is not installed (Debian package chromium): the docs page is not rendered`)
} else {
  t.test('/docs renders in headless Chromium from this server alone', async (t) => {
    const server = await startServer({ dataDir: t.testdir() })
    t.teardown(() => server.close())
    const context = await chromium.launchPersistentContext(t.testdir({ profile: {} }) + '/profile', {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    t.teardown(() => context.close())
    const requested: string[] = []
    context.on('request', (request) => requested.push(request.url()))
    const page = await context.newPage()
    await page.goto(`${server.url}/docs`, { waitUntil: 'load', timeout: 60_000 })
    await page.getByText('/v1/functions/{id}/versions/{version}', { exact: false }).first().waitFor({ timeout: 30_000 })
    const text = await page.locator('body').innerText()
    for (const path of ['/v1/functions/{id}/versions', '/v1/functions/{id}/versions/{version}', '/v1/aliases']) {
      t.ok(text.includes(path), `the page shows ${path}`)
    }
    t.ok(requested.length > 3, `${requested.length} requests: the page, its assets and the description`)
    const outside = requested.filter((u) => !/^(http:\/\/127\.0\.0\.1:\d+\/|data:|blob:)/.test(u))
    t.same(outside, [], 'no request left 127.0.0.1')
    mkdirSync(ARTIFACTS, { recursive: true })
    const shot = join(ARTIFACTS, 'docs-page.png')
    await page.screenshot({ path: shot, fullPage: true })
    t.comment(`screenshot: ${shot}`)
    t.ok(existsSync(shot), 'the screenshot is kept')
  })
}
