import { callOverHttp, SocketSession, type CallOutcome, type CallRequest } from './calls.js'
import { readDocument, type ApiInfo, type MethodInfo } from './document.js'
import { byId, el, replaceChildren } from './dom.js'
import { deprecatedBadge, methodView, overview } from './method-view.js'
import { NotificationPanel } from './notifications.js'
import type { Headers } from './snippets.js'
import { answerView, tryItForm } from './try-it.js'

/** Set by the server in the page's meta tags: where the endpoint is, and whether it speaks WebSocket. */
function meta (name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? ''
}

const endpoint = new URL(meta('fastify-jsonrpc-endpoint') || '../', location.href).href
const socketUrl = endpoint.replace(/^http/, 'ws')
const websocketOn = meta('fastify-jsonrpc-websocket') === 'on'

const list = byId<HTMLUListElement>('method-list')
const filter = byId<HTMLInputElement>('filter')
const detail = byId('detail')
const headersInput = byId<HTMLTextAreaElement>('headers')
const headersProblem = byId('headers-problem')
const socketStatus = byId('socket-status')
const connectButton = byId<HTMLButtonElement>('connect')
const disconnectButton = byId<HTMLButtonElement>('disconnect')
const notifications = new NotificationPanel(byId<HTMLOListElement>('notification-list'), byId('notification-count'))

let api: ApiInfo | undefined
let session: SocketSession | undefined

/** `Name: value` lines; a line that is not one is refused with a message rather than sent half-read. */
function readHeaders (): Headers {
  const headers: Array<[string, string]> = []
  for (const [index, line] of headersInput.value.split('\n').entries()) {
    if (line.trim() === '') continue
    const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*?)\s*$/.exec(line)
    if (match === null) {
      const message = `Header line ${index + 1} is not "Name: value".`
      headersProblem.textContent = message
      throw new Error(message)
    }
    headers.push([match[1] as string, match[2] as string])
  }
  headersProblem.textContent = ''
  return headers
}

function overSocket (): boolean {
  return websocketOn && document.querySelector<HTMLInputElement>('input[name="transport"]:checked')?.value === 'websocket'
}

function setSocketStatus (text: string, connected: boolean): void {
  socketStatus.textContent = text
  socketStatus.dataset.state = connected ? 'connected' : 'closed'
  disconnectButton.disabled = !connected
}

function openSession (): SocketSession {
  session ??= new SocketSession(socketUrl, notification => { notifications.add(notification) })
  return session
}

async function send (request: CallRequest): Promise<CallOutcome> {
  if (!overSocket()) return await callOverHttp(endpoint, Object.fromEntries(readHeaders()), request)
  const outcome = await openSession().call(request)
  // A call that got no answer says the socket is gone; anything else says it works.
  setSocketStatus(outcome.kind === 'failure' ? `Not connected (${outcome.failure ?? 'failed'})` : `Connected to ${socketUrl}`, outcome.kind !== 'failure')
  return outcome
}

function methodLink (method: MethodInfo): HTMLLIElement {
  const link = el('a', { class: 'method-link', attrs: { href: `#method=${encodeURIComponent(method.name)}` } },
    el('span', { class: 'method-link-name' }, method.name),
    method.deprecated && deprecatedBadge(),
    method.summary === '' ? null : el('span', { class: 'method-link-summary' }, method.summary))
  const item = el('li', {}, link)
  item.dataset.search = `${method.name}\n${method.summary}\n${method.description}`.toLowerCase()
  return item
}

function applyFilter (): void {
  const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean)
  let shown = 0
  for (const item of list.children) {
    const visible = words.every(word => (item as HTMLElement).dataset.search?.includes(word) === true)
    ;(item as HTMLElement).hidden = !visible
    if (visible) shown++
  }
  const total = list.children.length
  byId('method-count').textContent = words.length === 0 ? `${total} method${total === 1 ? '' : 's'}` : `${shown} of ${total} methods`
}

/** Shows what the location's hash names: a method, the any-method form, or the overview. */
function route (moveFocus: boolean): void {
  if (api === undefined) return
  const hash = location.hash
  let selected: MethodInfo | undefined
  if (hash.startsWith('#method=')) {
    let name: string
    try {
      name = decodeURIComponent(hash.slice('#method='.length))
    } catch {
      name = ''
    }
    selected = api.methods.find(method => method.name === name)
  }
  for (const link of list.querySelectorAll('a')) {
    if (link.getAttribute('href') === hash && selected !== undefined) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  const context = { endpoint: () => endpoint, headers: readHeaders, transportName: () => overSocket() ? 'WebSocket' : 'HTTP', send }
  if (selected !== undefined) {
    const method = selected
    const form = tryItForm(method, context)
    replaceChildren(detail, methodView(method, index => { form.useExample(index) }), form.element)
    document.title = `${method.name} · ${api.title}`
  } else if (hash === '#call') {
    replaceChildren(detail, el('article', { class: 'method' },
      el('h2', { attrs: { id: 'method-title', tabindex: '-1' } }, 'Call any method'),
      el('p', {}, 'Send a call by name, including names the document does not list, and see exactly what the server answers.')),
    tryItForm(undefined, context).element)
    document.title = `Call any method · ${api.title}`
  } else {
    replaceChildren(detail, overview(api))
    document.title = `${api.title} · API explorer`
  }
  if (moveFocus) document.getElementById('method-title')?.focus()
}

async function loadDocument (): Promise<void> {
  replaceChildren(detail, el('p', { class: 'hint' }, 'Reading the API description (rpc.discover)…'))
  let outcome: CallOutcome
  try {
    outcome = await send({ method: 'rpc.discover', params: undefined, notification: false })
  } catch (error) {
    replaceChildren(detail, el('p', { class: 'problem' }, error instanceof Error ? error.message : String(error)))
    return
  }
  if (outcome.kind !== 'result') {
    replaceChildren(detail, el('article', { class: 'method' },
      el('h2', {}, 'The API description could not be read'),
      el('p', {}, 'The explorer reads the OpenRPC document with rpc.discover. If a guard protects the endpoint, set its header (Authorization, say) under "Headers and transport" and reload.'),
      answerView(outcome, overSocket() ? 'WebSocket' : 'HTTP')))
    byId<HTMLDetailsElement>('settings').open = true
    return
  }
  api = readDocument(outcome.result)
  byId('api-title').textContent = api.title
  byId('api-version').textContent = api.version === '' ? '' : `v${api.version}`
  replaceChildren(list, ...api.methods.map(methodLink))
  applyFilter()
  route(false)
}

function setUp (): void {
  byId('endpoint-url').textContent = endpoint
  filter.addEventListener('input', applyFilter)
  filter.addEventListener('keydown', event => {
    if (event.key !== 'Enter') return
    event.preventDefault()
    const first = [...list.children].find(item => !(item as HTMLElement).hidden)?.querySelector('a')
    if (first !== null && first !== undefined) location.hash = first.getAttribute('href') ?? ''
  })
  document.addEventListener('keydown', event => {
    const target = event.target as HTMLElement
    if (event.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) && !target.isContentEditable) {
      event.preventDefault()
      filter.focus()
    }
  })
  window.addEventListener('hashchange', () => { route(true) })
  byId('reload').addEventListener('click', () => { void loadDocument() })
  headersInput.addEventListener('change', () => { try { readHeaders() } catch { /* shown beside the field */ } })

  if (websocketOn) {
    byId('transport').hidden = false
    byId('notifications').hidden = false
    byId('clear-notifications').addEventListener('click', () => { notifications.clear() })
    connectButton.addEventListener('click', () => {
      const choice = document.querySelector<HTMLInputElement>('input[name="transport"][value="websocket"]')
      if (choice !== null) choice.checked = true
      setSocketStatus('Connecting…', false)
      // Reading the document over the socket proves the connection both ways.
      void loadDocument()
    })
    disconnectButton.addEventListener('click', () => {
      session?.close()
      session = undefined
      setSocketStatus('Not connected', false)
    })
  }
  void loadDocument()
}

setUp()
