// The demo's methods, written once for both peers: params may be an array or an object.
import { ITEMS, helloArg, sumArgs } from '../fixtures.mjs'

export class InvalidParams extends Error {}

export const methods = {
  ping: () => 'ping',
  hao: () => 'hao',
  hello (params) {
    const name = helloArg(params)
    if (name === undefined) throw new InvalidParams()
    return `Hello, ${name}`
  },
  Sum (params) {
    const args = sumArgs(params)
    if (args === undefined) throw new InvalidParams()
    return args[0] + args[1]
  },
  items: () => ITEMS
}
