/**
 * `markdown` with every `## ` section that `sections` holds put in place of the section of the
 * same heading (or added at the end), the other scenarios' figures left as they are: for a run
 * of some scenarios alone (`npm run bench -- --only <name>`).
 */
export function withSections(markdown: string, sections: string): string {
  let result = markdown
  for (const section of sections.split(/\n(?=## )/)) {
    const heading = section.slice(0, section.indexOf('\n') + 1)
    if (!heading.startsWith('## ')) continue
    const start = result.indexOf(`\n${heading}`)
    if (start < 0) {
      result = `${result.trimEnd()}\n\n${section.trim()}\n`
      continue
    }
    const next = result.indexOf('\n## ', start + 1)
    result = `${result.slice(0, start)}\n${section.trim()}\n${next < 0 ? '' : `${result.slice(next)}`}`
  }
  return result
}
