import type { CallOutcome, CallRequest } from './calls.js'
import type { MethodInfo } from './document.js'
import { el, prettyJson, replaceChildren, type Child } from './dom.js'
import { exampleParams, prefillParams, type ParamMode } from './schema.js'
import { clientCode, cliCommand, curlCommand, type CallSpec, type Headers } from './snippets.js'

/** What the form needs from the page. */
export interface TryItContext {
  /** The endpoint's absolute URL (the one snippets name). */
  endpoint: () => string
  /** The headers of the settings panel; throws with a message when they cannot be read. */
  headers: () => Headers
  /** Where calls go: 'HTTP' or 'WebSocket', for the answer's status line. */
  transportName: () => string
  send: (request: CallRequest) => Promise<CallOutcome>
}

let formCount = 0

function problemList (data: unknown): Child {
  if (!Array.isArray(data) || !data.every(item => typeof item === 'object' && item !== null)) return null
  const items = data.map(item => {
    const { path, message } = item as { path?: unknown, message?: unknown }
    return el('li', {}, typeof path === 'string' && path !== '' ? el('code', {}, path) : null, typeof path === 'string' && path !== '' ? ' ' : null,
      typeof message === 'string' ? message : prettyJson(item))
  })
  return el('ul', { class: 'problems', attrs: { 'aria-label': 'Problems with the params' } }, ...items)
}

/** The answer panel: status line, transcript, then the result or the error. */
export function answerView (outcome: CallOutcome, transport: string): HTMLElement {
  const ms = `${outcome.ms < 10 ? outcome.ms.toFixed(1) : Math.round(outcome.ms)} ms`
  const verdict = { result: 'Result', accepted: 'Notification sent', error: 'Error', failure: 'No answer' }[outcome.kind]
  const statusParts = [outcome.status === undefined ? transport : `HTTP ${outcome.status}`, ms]
  const body: Child[] = []
  if (outcome.kind === 'result') {
    body.push(el('pre', { class: 'json result-value' }, prettyJson(outcome.result)))
  } else if (outcome.kind === 'error' && outcome.error !== undefined) {
    const { code, message, data } = outcome.error
    body.push(el('p', { class: 'error-title' }, el('code', {}, String(code)), ' ', message))
    const problems = problemList(data)
    if (problems !== null) body.push(problems)
    else if (data !== undefined) body.push(el('p', { class: 'example-label' }, 'data'), el('pre', { class: 'json' }, prettyJson(data)))
  } else if (outcome.kind === 'failure') {
    body.push(el('p', { class: 'error-title' }, outcome.failure ?? 'The call failed'))
  }
  return el('div', { class: `answer answer-${outcome.kind}` },
    el('p', { class: 'answer-status' }, el('strong', {}, verdict), ` · ${statusParts.join(' · ')}`),
    outcome.lines.length === 0 ? null : el('pre', { class: 'transcript', attrs: { 'aria-label': 'Exchange' } }, outcome.lines.join('\n')),
    ...body)
}

function parseParams (text: string): CallSpec['params'] {
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new Error(`The params are not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (typeof value !== 'object' || value === null) throw new Error('Params must be a JSON array (by position) or object (by name), or left empty.')
  return value as CallSpec['params']
}

/**
 * The try-it form for one method, or for any name (`method` undefined): a
 * params editor pre-filled from the schema, Send, and copy as curl, CLI or
 * RpcClient code.
 */
export function tryItForm (method: MethodInfo | undefined, context: TryItContext): { element: HTMLElement, useExample: (index: number) => void } {
  const id = `form${++formCount}`
  const byPositionOnly = method?.paramStructure === 'by-position'
  const byNameOnly = method?.paramStructure === 'by-name'
  let mode: ParamMode = byNameOnly ? 'by-name' : 'by-position'

  const nameInput = el('input', { attrs: { id: `${id}-method`, type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'method name', required: '' } })
  const params = el('textarea', { attrs: { id: `${id}-params`, rows: '3', spellcheck: 'false', 'aria-describedby': `${id}-params-hint` } })
  params.value = method === undefined ? '[]' : prefillParams(method.params, mode)
  const notify = el('input', { attrs: { id: `${id}-notify`, type: 'checkbox' } })
  const problem = el('p', { class: 'problem', attrs: { role: 'alert' } })
  const answer = el('div', { class: 'answer-area', attrs: { 'aria-live': 'polite' } })
  const snippet = el('div', { class: 'snippet-area' })
  const send = el('button', { class: 'primary', attrs: { type: 'submit' } }, 'Send')

  const modeChoices = (['by-position', 'by-name'] as const).map(value => {
    const input = el('input', { attrs: { type: 'radio', name: `${id}-mode`, value } })
    input.checked = value === mode
    input.disabled = (value === 'by-name' && byPositionOnly) || (value === 'by-position' && byNameOnly)
    input.addEventListener('change', () => {
      mode = value
      if (method !== undefined) params.value = prefillParams(method.params, mode)
    })
    return el('label', { class: 'choice' }, input, value === 'by-position' ? ' By position [ ]' : ' By name { }')
  })

  function spec (): CallSpec {
    const name = method?.name ?? nameInput.value.trim()
    if (name === '') throw new Error('Type the name of the method to call.')
    return { url: context.endpoint(), method: name, params: parseParams(params.value), headers: context.headers(), notification: notify.checked, id: 1 }
  }

  async function submit (): Promise<void> {
    let request: CallSpec
    try {
      request = spec()
    } catch (error) {
      problem.textContent = error instanceof Error ? error.message : String(error)
      return
    }
    problem.textContent = ''
    send.disabled = true
    replaceChildren(answer, el('p', { class: 'hint' }, 'Waiting for the answer…'))
    try {
      const outcome = await context.send({ method: request.method, params: request.params, notification: request.notification })
      replaceChildren(answer, answerView(outcome, context.transportName()))
    } finally {
      send.disabled = false
    }
  }

  const form = el('form', { class: 'try-form', attrs: { novalidate: '' } },
    method === undefined ? el('div', { class: 'field' }, el('label', { attrs: { for: nameInput.id } }, 'Method'), nameInput) : null,
    el('fieldset', { class: 'field inline' }, el('legend', {}, 'Params'), ...modeChoices),
    el('div', { class: 'field' },
      el('label', { attrs: { for: params.id } }, 'Params (JSON)'),
      params,
      el('p', { class: 'hint', attrs: { id: `${id}-params-hint` } }, 'An array by position, an object by name, or empty for none. Ctrl+Enter sends.')),
    el('label', { class: 'choice' }, notify, ' Send as a notification (no id, no answer)'),
    problem,
    el('div', { class: 'actions' }, send,
      ...([['curl', 'Copy as curl'], ['cli', 'Copy as CLI command'], ['client', 'Copy as RpcClient code']] as const).map(([kind, label]) => {
        const button = el('button', { attrs: { type: 'button', 'data-copy': kind } }, label)
        button.addEventListener('click', () => { void copySnippet(kind, label) })
        return button
      })))

  async function copySnippet (kind: 'curl' | 'cli' | 'client', label: string): Promise<void> {
    let text: string
    try {
      const request = spec()
      text = kind === 'curl' ? curlCommand(request) : kind === 'cli' ? cliCommand(request) : clientCode(request)
    } catch (error) {
      problem.textContent = error instanceof Error ? error.message : String(error)
      return
    }
    problem.textContent = ''
    const status = el('span', { class: 'hint', attrs: { role: 'status' } })
    replaceChildren(snippet, el('div', { class: 'snippet-head' }, el('strong', {}, label.replace('Copy as ', '')), status),
      el('pre', { class: 'snippet', attrs: { 'data-snippet': kind } }, text))
    try {
      await navigator.clipboard.writeText(text)
      status.textContent = 'Copied to the clipboard.'
    } catch {
      status.textContent = 'Select the text below to copy it.'
    }
  }

  form.addEventListener('submit', event => {
    event.preventDefault()
    void submit()
  })
  params.addEventListener('keydown', event => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault()
      void submit()
    }
  })

  const element = el('section', { class: 'try', attrs: { 'aria-labelledby': `${id}-title` } },
    el('h3', { attrs: { id: `${id}-title` } }, method === undefined ? 'Call any method' : 'Try it'),
    form, answer, snippet)
  function useExample (index: number): void {
    const example = method?.examples[index]
    if (method === undefined || example === undefined) return
    params.value = exampleParams(example.params, method.params, mode)
    params.focus()
  }
  return { element, useExample }
}
