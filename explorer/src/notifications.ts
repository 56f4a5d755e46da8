import { el } from './dom.js'
import type { RpcServerNotification } from './client.mjs'

/** The most notifications the panel keeps; older ones are dropped, so a fast ticker cannot grow the page without bound. */
export const MAX_NOTIFICATIONS = 100

/** The live list of what the server pushed over the WebSocket, newest first. */
export class NotificationPanel {
  readonly #list: HTMLOListElement
  readonly #count: HTMLElement
  #received = 0

  constructor (list: HTMLOListElement, count: HTMLElement) {
    this.#list = list
    this.#count = count
    this.#render()
  }

  add (notification: RpcServerNotification): void {
    this.#received++
    const time = new Date().toLocaleTimeString()
    const item = el('li', { class: 'notification' },
      el('span', { class: 'notification-head' }, el('code', {}, notification.method), ' ', el('time', {}, time)),
      // One line each: a ticker fills the panel fast.
      el('pre', { class: 'json' }, JSON.stringify(notification.params) ?? ''))
    this.#list.prepend(item)
    while (this.#list.children.length > MAX_NOTIFICATIONS) this.#list.lastElementChild?.remove()
    this.#render()
  }

  clear (): void {
    this.#list.replaceChildren()
    this.#received = 0
    this.#render()
  }

  #render (): void {
    const shown = this.#list.children.length
    this.#count.textContent = this.#received === 0
      ? 'None yet. Call a method that subscribes over the WebSocket.'
      : `${this.#received} received${shown < this.#received ? `, the last ${shown} shown` : ''}`
  }
}
