import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { test } from 'tap'

const root = resolve(__dirname, '..')
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter(name => name.endsWith('.md')).map(name => join('docs', name))]

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf (markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line)
    if (heading === null) continue
    const slug = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

/** Relative links of a page, outside code blocks and code spans. */
function relativeLinksOf (markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '')
  const links: string[] = []
  for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push(target)
  }
  return links
}

test('every relative link of the README and the docs pages resolves, anchors included', async t => {
  for (const page of pages) {
    const text = readFileSync(join(root, page), 'utf8')
    for (const link of relativeLinksOf(text)) {
      const [path, anchor] = link.split('#')
      const target = path === '' ? join(root, page) : resolve(root, dirname(page), decodeURIComponent(path))
      t.ok(existsSync(target), `${page}: ${link} points at a file that exists`)
      if (anchor !== undefined && existsSync(target) && statSync(target).isFile() && target.endsWith('.md')) {
        t.ok(anchorsOf(readFileSync(target, 'utf8')).has(anchor), `${page}: ${link} points at a heading that exists`)
      }
    }
  }
})

test('every docs page is linked from the README', async t => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  for (const page of pages.filter(name => name.startsWith('docs'))) {
    t.ok(readme.includes(`](${page})`) || readme.includes(`](./${page})`), `README links ${page}`)
  }
})

test('the README stays under 20 KB and names the Python original as such', async t => {
  const readme = readFileSync(join(root, 'README.md'))
  t.ok(readme.length <= 20 * 1024, `README is ${readme.length} bytes`)
  for (const page of pages) {
    t.notMatch(readFileSync(join(root, page), 'utf8'), /\bseed\b/i, `${page} says "the Python original", not internal names`)
  }
})

test('the anchor rule matches GitHub on the headings these pages use', async t => {
  t.same([...anchorsOf('# Limits\n## The `fastify-jsonrpc call` command\n## Cluster mode: `WORKERS=N npm start`\n## Limits')],
    ['limits', 'the-fastify-jsonrpc-call-command', 'cluster-mode-workersn-npm-start', 'limits-1'])
})
