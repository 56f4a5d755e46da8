import type { ApiInfo, ContentDescriptor, MethodInfo } from './document.js'
import { el, prettyJson, type Child } from './dom.js'
import { typeLabel } from './schema.js'

/** The errors any call may get, whatever the method: listed once under each method's own. */
const EVERY_CALL = '-32700 Parse error, -32600 Invalid Request, -32601 Method not found and -32603 Internal error'

export function deprecatedBadge (): HTMLElement {
  return el('span', { class: 'badge badge-deprecated' }, 'deprecated')
}

function prose (text: string, className: string): Child {
  // Descriptions may be Markdown; they are shown as the plain text they are.
  return text === '' ? null : el('p', { class: className }, text)
}

function schemaDetails (label: string, schema: unknown): HTMLElement {
  return el('details', { class: 'schema' }, el('summary', {}, label), el('pre', { class: 'json' }, prettyJson(schema)))
}

function paramsTable (params: readonly ContentDescriptor[]): HTMLElement {
  if (params.length === 0) return el('p', { class: 'hint' }, 'No parameters.')
  const rows = params.map(param => el('tr', {},
    el('th', { attrs: { scope: 'row' } }, el('code', {}, param.rest ? `...${param.name}` : param.name), param.deprecated && ' ', param.deprecated && deprecatedBadge()),
    el('td', { attrs: { 'data-label': 'Type' } }, el('code', {}, typeLabel(param.schema))),
    el('td', { attrs: { 'data-label': 'Required' } }, param.required ? 'required' : 'optional'),
    el('td', { attrs: { 'data-label': 'Description' } }, [param.summary, param.description].filter(Boolean).join(' — ') || '—')))
  return el('div', { class: 'table-wrap' }, el('table', { class: 'params' },
    el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' } }, 'Name'), el('th', { attrs: { scope: 'col' } }, 'Type'),
      el('th', { attrs: { scope: 'col' } }, 'Required'), el('th', { attrs: { scope: 'col' } }, 'Description'))),
    el('tbody', {}, ...rows)))
}

function errorsList (method: MethodInfo): HTMLElement {
  const items = method.errors.map(error => el('li', {}, el('code', {}, String(error.code)), ' ', error.message,
    error.data === undefined ? null : el('pre', { class: 'json' }, prettyJson(error.data))))
  return el('div', {},
    items.length === 0 ? null : el('ul', { class: 'errors' }, ...items),
    el('p', { class: 'hint' }, `${items.length === 0 ? 'Any' : 'Besides these, any'} call may get ${EVERY_CALL}.`))
}

function examplesList (method: MethodInfo, useExample: (index: number) => void): Child {
  if (method.examples.length === 0) return null
  return el('section', { attrs: { 'aria-labelledby': 'examples-title' } },
    el('h3', { attrs: { id: 'examples-title' } }, 'Examples'),
    ...method.examples.map((example, index) => {
      const use = el('button', { attrs: { type: 'button' } }, 'Use these params')
      use.addEventListener('click', () => { useExample(index) })
      return el('div', { class: 'example' },
        el('h4', {}, example.name),
        prose(example.summary, 'summary'),
        prose(example.description, 'description'),
        el('p', { class: 'example-label' }, 'Params'),
        el('pre', { class: 'json' }, JSON.stringify(Object.fromEntries(example.params.map(param => [param.name, param.value])), null, 2)),
        example.result === undefined ? null : el('p', { class: 'example-label' }, 'Result'),
        example.result === undefined ? null : el('pre', { class: 'json' }, prettyJson(example.result.value)),
        use)
    }))
}

/** Everything the document says about one method. */
export function methodView (method: MethodInfo, useExample: (index: number) => void): HTMLElement {
  return el('article', { class: 'method' },
    el('h2', { class: 'method-name', attrs: { id: 'method-title', tabindex: '-1' } }, el('code', {}, method.name), method.deprecated && ' ', method.deprecated && deprecatedBadge()),
    prose(method.summary, 'summary'),
    prose(method.description, 'description'),
    el('h3', {}, 'Parameters'),
    method.paramStructure === 'by-position' ? el('p', { class: 'hint' }, 'By position only.') : null,
    paramsTable(method.params),
    el('h3', {}, 'Result'),
    method.result === undefined
      ? el('p', { class: 'hint' }, 'Not described.')
      : el('div', {}, el('p', {}, el('code', {}, typeLabel(method.result.schema)), method.result.description === '' ? null : ` — ${method.result.description}`),
        schemaDetails('Result schema', method.result.schema)),
    el('h3', {}, 'Errors'),
    errorsList(method),
    examplesList(method, useExample))
}

/** The page with no method chosen: what the API is. */
export function overview (api: ApiInfo): HTMLElement {
  const count = api.methods.length
  return el('article', { class: 'overview' },
    el('h2', { attrs: { id: 'method-title', tabindex: '-1' } }, api.title),
    prose(api.description, 'description'),
    el('p', {}, `${count} method${count === 1 ? '' : 's'}${api.openrpc === '' ? '' : `, described by OpenRPC ${api.openrpc}`}. Choose one to read about it and call it.`))
}
