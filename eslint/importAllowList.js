// The design's arrows as an allow-list per folder (VS Code's layering rule): each folder names
// what its code may import, by repository path (`electron/contract`) or package (`zod`, `@aws-sdk/*`,
// `node:*`); everything else is refused. The most specific folder rule applies.
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')

/**
 * `'node:*'` matches `node:fs`, `'@aws-sdk/*'` `@aws-sdk/client-iot`, `'aedes-*'` `aedes-persistence`;
 * a repository path (`electron/contract`) matches itself and below; a bare package name only itself
 * (so the package `electron` does not match the folder `electron/core`).
 */
function matches(pattern, target) {
  if (pattern.endsWith('*')) return target.startsWith(pattern.slice(0, -1))
  if (pattern.includes('/')) return target === pattern || target.startsWith(`${pattern}/`)
  return target === pattern
}

/** The import as the rules name it: a repository path for relative imports and aliases, else the package name. */
function importTarget(specifier, filename, aliases) {
  for (const [alias, to] of Object.entries(aliases)) {
    if (specifier === alias || specifier.startsWith(`${alias}/`)) return `${to}${specifier.slice(alias.length)}`
  }
  if (specifier.startsWith('.')) {
    const resolved = path.relative(root, path.resolve(path.dirname(filename), specifier)).split(path.sep).join('/')
    return resolved.replace(/\.(ts|js|mjs|vue)$/, '').replace(/\/index$/, '')
  }
  if (specifier.startsWith('node:')) return specifier
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Each folder may import only what its allow-list names (shared/design.md, "The house").' },
    schema: [
      {
        type: 'object',
        properties: {
          folders: { type: 'object' },
          aliases: { type: 'object' }
        },
        additionalProperties: false
      }
    ]
  },
  create(context) {
    const { folders = {}, aliases = {} } = context.options[0] ?? {}
    const file = path.relative(root, context.filename).split(path.sep).join('/')
    const folder = Object.keys(folders)
      .filter((f) => file.startsWith(`${f}/`))
      .sort((a, b) => b.length - a.length)[0]
    if (!folder) return {}
    const rule = folders[folder]

    function check(node, specifier, typeOnly) {
      if (typeof specifier !== 'string') return
      const target = importTarget(specifier, context.filename, aliases)
      const allowed = [folder, ...rule.allow, ...(typeOnly ? (rule.allowTypes ?? []) : [])]
      if (allowed.some((pattern) => matches(pattern, target))) return
      context.report({
        node,
        message: `${folder}/ may not import '${specifier}' (${target}): it may import only ${allowed.join(', ')}.${rule.why ? ` ${rule.why}` : ''}`
      })
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false)
    }
  }
}

export default { rules: { 'allowed-imports': allowedImports } }
