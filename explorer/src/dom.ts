/**
 * The one way the page builds elements. Every string, from the OpenRPC
 * document or from an answer, becomes a text node: nothing here ever parses
 * HTML, so a description holding `<img onerror=...>` is shown, never run.
 */
export type Child = Node | string | null | undefined | false

export interface ElementProps {
  class?: string
  /** Attributes set with setAttribute (never event handlers: listeners are added in code). */
  attrs?: Record<string, string>
}

export function el<K extends keyof HTMLElementTagNameMap> (tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  if (props.class !== undefined) element.className = props.class
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (/^on/i.test(name)) throw new Error(`el(): event handler attribute ${name} refused; use addEventListener`)
    element.setAttribute(name, value)
  }
  append(element, ...children)
  return element
}

export function append (parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child)
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren (parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, ...children)
}

export function byId<T extends HTMLElement = HTMLElement> (id: string): T {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`the page has no #${id}`)
  return element as T
}

/** Pretty JSON for display; `undefined` (no value) shows as nothing. */
export function prettyJson (value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2)
}
