// The methods of the JSON-RPC peers (jayson, json-rpc-2.0), written once for
// both: params may be an array or an object, checked by hand as this project
// checks them from the types. `register` validates its one object parameter
// with ajv, compiled once here with the options this project uses (no
// coercion, nothing removed or filled in, every error listed).
import Ajv from 'ajv'
import { ITEMS, PROFILE_SCHEMA, helloArg, profileArg, sumArgs } from '../fixtures.mjs'

export class InvalidParams extends Error {}

const validProfile = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true }).compile(PROFILE_SCHEMA)

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
  async SumAsync (params) {
    const args = sumArgs(params)
    if (args === undefined) throw new InvalidParams()
    return args[0] + args[1]
  },
  items: () => ITEMS,
  register (params) {
    const profile = profileArg(params)
    if (!validProfile(profile)) throw new InvalidParams()
    return profile.id
  }
}
