/**
 * The -32602 problem list, shared by parameter binding (at call time) and the
 * validators registration compiles. Hostile params can fail in hundreds of
 * thousands of places; the list keeps the first few and only counts the rest,
 * so neither the work nor the answer grows with the attacker's input.
 */

/** One reason params were refused; `path` is a JSON pointer into the params by parameter name. */
export interface ParamsProblem {
  path: string
  message: string
  /** Only on the closing entry of a truncated list: how many further problems were found but not listed. */
  omitted?: number
}

/** Problems listed in one -32602 answer; past it they are counted, not described. */
export const MAX_LISTED_PROBLEMS = 100

/** Names from the request are echoed in messages up to this many characters (the path keeps the whole name). */
const MAX_ECHOED_NAME = 64

export class ProblemList {
  private readonly listed: ParamsProblem[] = []
  private omitted = 0

  /** True once MAX_LISTED_PROBLEMS are listed: callers stop explaining and only count. */
  get full (): boolean {
    return this.listed.length >= MAX_LISTED_PROBLEMS
  }

  add (path: string, message: string): void {
    if (this.full) this.omitted++
    else this.listed.push({ path, message })
  }

  /** Problems found but not described (the list was full). */
  count (problems: number): void {
    this.omitted += problems
  }

  /** What `error.data` holds: the listed problems, then one closing entry with the count of the rest. */
  toData (): ParamsProblem[] {
    if (this.omitted === 0) return this.listed
    const more = this.omitted === 1 ? '1 more problem' : `${this.omitted} more problems`
    return [...this.listed, { path: '', message: `${more} not listed`, omitted: this.omitted }]
  }
}

/** A JSON pointer token (RFC 6901). */
export function escapePointer (token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** A name taken from the request, quoted for a message and cut short when it is long. */
export function quoteName (name: string): string {
  return name.length <= MAX_ECHOED_NAME ? `"${name}"` : `"${name.slice(0, MAX_ECHOED_NAME)}…" (${name.length} characters)`
}
