import 'reflect-metadata'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Page } from 'playwright-core'
import { test, type Test } from 'tap'
import { buildDemoApp } from '../demo/app'
import { rpcMethod, rpcPlugin } from '../index'
import { browserUnavailable, openPage } from './fixtures/browser'

/**
 * The explorer page in headless Chromium, against the demo server on a real
 * port: what a person sees and does, clicked and typed. Set
 * EXPLORER_SCREENSHOTS=docs/images to refresh the documentation's pictures.
 */
const root = resolve(__dirname, '..')
// Asynchronous: the server answering these commands runs in this process.
const run = async (file: string, args: string[]): Promise<string> => (await promisify(execFile)(file, args, { encoding: 'utf8', timeout: 20_000 })).stdout
const DEMO_METHODS = ['ping', 'hao', 'hello', 'Sum', 'sleep', 'processId', 'subscribe_ticker', 'unsubscribe_ticker', 'watch_ticks', 'unwatch_ticks', 'rpc.discover']
const HOSTILE_HTML = '<img src=x onerror="window.pwned=1">'

async function listen (t: Test, app: FastifyInstance): Promise<string> {
  t.teardown(async () => await app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return `http://127.0.0.1:${address.port}`
}

async function demoServer (t: Test): Promise<string> {
  return await listen(t, await buildDemoApp({ logger: false }))
}

async function screenshot (page: Page, name: string): Promise<void> {
  const dir = process.env.EXPLORER_SCREENSHOTS
  if (dir === undefined || dir === '') return
  mkdirSync(resolve(root, dir), { recursive: true })
  await page.screenshot({ path: resolve(root, dir, name), fullPage: true })
}

async function openExplorer (t: Test, origin: string, viewport?: { width: number, height: number }): Promise<ReturnType<typeof openPage>> {
  const opened = await openPage(t, viewport)
  const response = await opened.page.goto(`${origin}/rpc/explorer`)
  t.equal(response?.status(), 200, 'the page loads (after the redirect to the folder URL)')
  t.equal(opened.page.url(), `${origin}/rpc/explorer/`, '/rpc/explorer redirects to /rpc/explorer/')
  return opened
}

async function methodNames (page: Page): Promise<string[]> {
  await page.locator('#method-list a').first().waitFor()
  return await page.locator('#method-list .method-link-name').allTextContents()
}

async function chooseMethod (page: Page, name: string): Promise<void> {
  await page.locator('#method-list .method-link-name').getByText(name, { exact: true }).click()
  await page.locator('#method-title').getByText(name, { exact: true }).waitFor()
}

/** Types the params, presses Send and waits for the answer panel. */
async function send (page: Page, params: string): Promise<void> {
  await page.getByLabel('Params (JSON)').fill(params)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await page.locator('#detail .answer').waitFor()
}

/**
 * Chromium logs every response with an error status on the console, as a
 * network message: those of the statuses a test provokes are expected, and
 * anything else is a problem.
 */
function unexpected (problems: readonly string[], ...statuses: number[]): string[] {
  return problems.filter(problem => !statuses.some(status => problem.startsWith(`console error: Failed to load resource: the server responded with a status of ${status} `)))
}

async function answerStatus (page: Page): Promise<string> {
  return (await page.locator('#detail .answer-status').textContent()) ?? ''
}

async function transcript (page: Page): Promise<string[]> {
  return ((await page.locator('#detail .transcript').textContent()) ?? '').split('\n')
}

const unavailable = browserUnavailable()
if (unavailable !== undefined && process.env.CI === 'true') {
  test('chromium is installed for the browser tests (CI=true)', async t => {
    t.fail(`${unavailable}; in CI the browser tests must run, not skip`)
  })
} else if (unavailable !== undefined) {
  test('the explorer in a real browser', { skip: unavailable }, async () => {})
} else {
  test('the page loads from the package with a strict CSP and no console error, and lists the demo methods', async t => {
    const origin = await demoServer(t)
    const { page, problems, requests } = await openExplorer(t, origin)
    t.same(await methodNames(page), DEMO_METHODS, 'every method of the demo, in the document order')
    t.equal(await page.locator('#api-title').textContent(), 'JSON-RPC API')
    t.equal(await page.locator('#method-count').textContent(), '11 methods')
    t.equal(await page.locator('#endpoint-url').textContent(), `${origin}/rpc`, 'the endpoint is the RPC path the page was served under')

    const served = await page.request.get(`${origin}/rpc/explorer/`)
    t.equal(served.headers()['content-security-policy'], "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'")
    t.same(requests.filter(url => !url.startsWith(`${origin}/`)), [], 'nothing requested from anywhere but the server itself')
    t.ok(requests.includes(`${origin}/rpc/explorer/client.mjs`), 'the page loads the browser build of RpcClient')
    t.ok(requests.includes(`${origin}/rpc`), 'and calls the endpoint (rpc.discover)')

    await page.getByLabel('Filter methods').fill('lid')
    t.equal(await page.locator('#method-list li:not([hidden])').count(), 0, 'an unknown name like lid is not offered')
    t.equal(await page.locator('#method-count').textContent(), '0 of 11 methods')
    await page.getByLabel('Filter methods').fill('ticker')
    t.same(await page.locator('#method-list li:not([hidden]) .method-link-name').allTextContents(), ['subscribe_ticker', 'unsubscribe_ticker'])
    await page.getByLabel('Filter methods').fill('')
    await page.getByLabel('Filter methods').blur()
    await screenshot(page, 'explorer-list.png')
    t.same(problems, [], 'no console error, page error or CSP violation')
  })

  test('hello with Nancy shows Hello, Nancy, with the exchange, the status and the time', async t => {
    const origin = await demoServer(t)
    const { page, problems } = await openExplorer(t, origin)
    await chooseMethod(page, 'hello')
    t.equal(await page.getByLabel('Params (JSON)').inputValue(), '[""]', 'the editor is pre-filled from the schema, by position')
    t.equal(await page.locator('table.params tbody tr th').textContent(), 'name')
    t.equal(await page.locator('table.params tbody tr td').first().textContent(), 'string')
    await page.getByLabel('By name { }').check()
    t.equal(await page.getByLabel('Params (JSON)').inputValue(), '{ "name": "" }', 'by name, the same params as an object')
    await page.getByLabel('By position [ ]').check()

    await send(page, '["Nancy"]')
    t.equal(await page.locator('#detail .result-value').textContent(), '"Hello, Nancy"')
    t.same(await transcript(page), [
      '--> {"jsonrpc":"2.0","method":"hello","params":["Nancy"],"id":1}',
      '<-- {"jsonrpc":"2.0","result":"Hello, Nancy","id":1} (200 OK)'
    ], 'the exchange in the client log\'s --> / <-- form')
    t.match(await answerStatus(page), /^Result · HTTP 200 OK · [0-9.]+ ms$/)
    await screenshot(page, 'explorer-call.png')
    t.same(problems, [])
  })

  test('a raw call of an unknown name shows -32601 with 404', async t => {
    const origin = await demoServer(t)
    const { page, problems } = await openExplorer(t, origin)
    await methodNames(page)
    await page.getByRole('link', { name: 'Call any method by name…' }).click()
    await page.getByRole('textbox', { name: 'Method' }).fill('lid')
    await send(page, '')
    t.equal(await page.locator('#detail .error-title').textContent(), '-32601 Method not found')
    t.match(await answerStatus(page), /^Error · HTTP 404 Not Found · /)
    t.same(await transcript(page), [
      '--> {"jsonrpc":"2.0","method":"lid","id":1}',
      '<-- {"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1} (404 Not Found)'
    ])
    t.same(unexpected(problems, 404), [], 'an error answer is shown, not thrown to the console')
  })

  test('wrong params show the -32602 problems', async t => {
    const origin = await demoServer(t)
    const { page, problems } = await openExplorer(t, origin)
    await chooseMethod(page, 'Sum')
    await send(page, '["five", 7]')
    t.equal(await page.locator('#detail .error-title').textContent(), '-32602 Invalid params')
    t.match(await answerStatus(page), /^Error · HTTP 400 Bad Request · /)
    t.same(await page.locator('#detail .problems li').allTextContents(), ['/a must be number'], 'each problem of data, with its path')

    await send(page, '[1]')
    t.same(await page.locator('#detail .problems li').allTextContents(), ['Sum takes 2 params, got 1'])
    await send(page, '"a string"')
    t.equal(await page.locator('#detail .problem[role="alert"]').textContent(), 'Params must be a JSON array (by position) or object (by name), or left empty.', 'params that are not an array or object are refused before sending')
    await send(page, '["five", 7]')
    await screenshot(page, 'explorer-error.png')
    t.same(unexpected(problems, 400), [])
  })

  test('descriptions and results holding HTML stay text; headers reach a guarded endpoint', async t => {
    class HostileDocs {
      @rpcMethod({ summary: `<b>bold</b> ${HOSTILE_HTML}`, description: `Renders ${HOSTILE_HTML} and <script>window.pwned=2</script>` })
      echo (text: string): string {
        return text
      }
    }
    const app = Fastify({ logger: false })
    await app.register(rpcPlugin, {
      services: [new HostileDocs()],
      explorer: true,
      openrpc: { info: { title: `Docs ${HOSTILE_HTML}`, description: HOSTILE_HTML } },
      guard: context => context.request.headers.authorization === 'Bearer let-me-in'
    })
    const origin = await listen(t, app)
    const { page, problems, requests } = await openExplorer(t, origin)

    await page.locator('#detail .answer').waitFor()
    t.equal(await page.locator('#detail .error-title').textContent(), '-32001 Unauthorized', 'without the header the guard refuses rpc.discover, and the page says so')
    t.match(await answerStatus(page), /HTTP 403 Forbidden/)
    t.ok(await page.locator('#settings').evaluate(details => (details as { open: boolean }).open), 'the headers panel is opened for the token')
    await page.getByLabel('Headers sent with each HTTP call').fill('Authorization: Bearer let-me-in')
    await page.getByRole('button', { name: 'Reload document' }).click()
    t.same(await methodNames(page), ['echo', 'rpc.discover'], 'with the header the document is read')

    t.equal(await page.locator('#api-title').textContent(), `Docs ${HOSTILE_HTML}`)
    await chooseMethod(page, 'echo')
    t.equal(await page.locator('#detail .summary').textContent(), `<b>bold</b> ${HOSTILE_HTML}`)
    t.equal(await page.locator('#detail .description').textContent(), `Renders ${HOSTILE_HTML} and <script>window.pwned=2</script>`)
    await send(page, JSON.stringify([HOSTILE_HTML]))
    t.equal(await page.locator('#detail .result-value').textContent(), JSON.stringify(HOSTILE_HTML), 'a result is shown as text too')

    t.equal(await page.locator('img, script:not([src]), b').count(), 0, 'no element was made from the strings')
    t.equal(await page.evaluate('window.pwned'), undefined, 'no handler ran')
    t.notOk(requests.some(url => url.endsWith('/x')), 'the img src was never requested')
    t.same(unexpected(problems, 403), [], 'no console error but the refused first read')
  })

  test('over WebSocket: connect, call, and watch the ticker\'s notifications live', async t => {
    const origin = await demoServer(t)
    const { page, problems, requests } = await openExplorer(t, origin)
    await methodNames(page)
    await page.getByText('Headers and transport').click()
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await page.locator('#socket-status[data-state="connected"]').waitFor()
    t.equal(await page.locator('#socket-status').textContent(), `Connected to ${origin.replace('http', 'ws')}/rpc`)
    t.ok(await page.getByLabel('WebSocket').isChecked(), 'calls now go over the socket')

    await chooseMethod(page, 'subscribe_ticker')
    await send(page, '[100]')
    const subscription = JSON.parse((await page.locator('#detail .result-value').textContent()) ?? 'null') as string
    t.match(subscription, /^ticker-\d+$/, 'subscribed over the socket')
    t.match(await answerStatus(page), /^Result · WebSocket · /, 'no HTTP status over the socket')
    const lines = await transcript(page)
    t.match(lines[0], /^--> \{"jsonrpc":"2\.0","method":"subscribe_ticker","params":\[100\],"id":\d+\}$/)
    t.match(lines[1], new RegExp(`^<-- \\{"jsonrpc":"2\\.0","result":"${subscription}","id":\\d+\\}$`))

    await page.locator('.notification').nth(2).waitFor({ timeout: 10_000 })
    const first = await page.locator('.notification').last()
    t.equal(await first.locator('code').textContent(), 'ticker')
    const params = JSON.parse((await first.locator('pre').textContent()) ?? 'null') as { subscription: string, seq: number, time: string }
    t.equal(params.subscription, subscription)
    t.equal(params.seq, 1, 'the oldest shown is the first pushed')
    t.match(await page.locator('#notification-count').textContent(), /^\d+ received$/)
    await screenshot(page, 'explorer-websocket.png')

    await chooseMethod(page, 'unsubscribe_ticker')
    await send(page, JSON.stringify([subscription]))
    t.equal(await page.locator('#detail .result-value').textContent(), 'true', 'unsubscribed')
    await page.getByRole('button', { name: 'Disconnect' }).click()
    t.equal(await page.locator('#socket-status').textContent(), 'Not connected')
    t.notOk(requests.some(url => url.startsWith('ws') && !url.startsWith(origin.replace('http', 'ws'))), 'the socket went to the server itself')
    t.same(problems, [], 'no CSP violation: default-src \'self\' covers the same-origin socket')
  })

  test('keyboard only: / filters, Enter opens, Ctrl+Enter sends; every control is labelled', async t => {
    const origin = await demoServer(t)
    const { page, problems } = await openExplorer(t, origin)
    await methodNames(page)
    await page.keyboard.press('/')
    t.equal(await page.evaluate('document.activeElement.id'), 'filter', '/ moves to the filter')
    await page.keyboard.type('Sum')
    await page.keyboard.press('Enter')
    await page.locator('#method-title').getByText('Sum', { exact: true }).waitFor()
    t.equal(await page.evaluate('document.activeElement.id'), 'method-title', 'focus moves to the method opened')
    t.equal(await page.locator('#method-list a[aria-current="page"]').textContent(), 'Sum')

    await page.getByLabel('Params (JSON)').focus()
    await page.keyboard.press('Control+A')
    await page.keyboard.type('[5, 7]')
    await page.keyboard.press('Control+Enter')
    await page.locator('#detail .answer').waitFor()
    t.equal(await page.locator('#detail .result-value').textContent(), '12')

    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, textarea, select, button')]
      .filter(control => !control.closest('[hidden]'))
      .filter(control => !(control.labels && control.labels.length > 0) && !control.getAttribute('aria-label') && control.textContent.trim() === '')
      .map(control => control.outerHTML)`)
    t.same(unlabelled, [], 'every visible control has a label or a text')
    t.same(problems, [])
  })

  test('a 375px-wide window: no sideways scrolling, the call still works', async t => {
    const origin = await demoServer(t)
    const { page, problems } = await openExplorer(t, origin, { width: 375, height: 800 })
    await chooseMethod(page, 'hello')
    await send(page, '["Nancy"]')
    t.equal(await page.locator('#detail .result-value').textContent(), '"Hello, Nancy"')
    t.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), 'the page fits the width')
    await screenshot(page, 'explorer-narrow.png')
    t.same(problems, [])
  })

  test('copy as curl, as a CLI command and as RpcClient code: each, run, gets the same answer', async t => {
    const origin = await demoServer(t)
    const { page, context, problems } = await openExplorer(t, origin)
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
    await chooseMethod(page, 'Sum')
    await page.getByLabel('By name { }').check()
    await page.getByLabel('Params (JSON)').fill('{"a": -5, "b": 7}')
    await page.getByText('Headers and transport').click()
    await page.getByLabel('Headers sent with each HTTP call').fill('X-Trace: it\'s me')

    const snippets: Record<string, string> = {}
    for (const [kind, label] of [['curl', 'Copy as curl'], ['cli', 'Copy as CLI command'], ['client', 'Copy as RpcClient code']]) {
      await page.getByRole('button', { name: label }).click()
      snippets[kind] = (await page.locator(`pre[data-snippet="${kind}"]`).textContent()) ?? ''
      t.equal(await page.evaluate('navigator.clipboard.readText()'), snippets[kind], `${label}: the clipboard holds the snippet shown`)
    }
    t.equal(snippets.curl, `curl -sS ${origin}/rpc -H 'content-type: application/json' -H 'X-Trace: it'\\''s me' --data-raw '{"jsonrpc":"2.0","method":"Sum","params":{"a":-5,"b":7},"id":1}'`)
    t.equal(snippets.cli, `npx fastify-jsonrpc call ${origin}/rpc Sum --named -H 'X-Trace: it'\\''s me' a=-5 b=7`)

    const curlOutput = await run('sh', ['-c', snippets.curl])
    t.same(JSON.parse(curlOutput), { jsonrpc: '2.0', result: 2, id: 1 }, 'the curl command works')
    const cli = snippets.cli.replace(/^npx fastify-jsonrpc/, `${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'dist', 'bin', 'fastify-jsonrpc.js'))}`)
    t.same((await run('sh', ['-c', cli])).trim().split('\n'), [
      '--> {"jsonrpc":"2.0","method":"Sum","params":{"a":-5,"b":7},"id":1}',
      '<-- {"jsonrpc":"2.0","result":2,"id":1} (200 OK)'
    ], 'the CLI command works')
    // Inside the package folder, so that `fastify-jsonrpc/client` resolves to this package.
    const scratch = mkdtempSync(join(root, 'dist', 'snippet-'))
    t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
    writeFileSync(join(scratch, 'snippet.mjs'), snippets.client)
    t.equal((await run(process.execPath, [join(scratch, 'snippet.mjs')])).trim(), '2', 'the RpcClient code works')
    t.same(problems, [])
  })
}
