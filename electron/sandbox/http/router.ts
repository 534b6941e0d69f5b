import type { HttpMethod, Route } from './route'

// Matches a request path against the routes' `{param}` / `{param+}` patterns. Matching works on the
// raw (percent-encoded) segments, so an encoded `/` inside a name stays inside its parameter.

interface CompiledRoute {
  route: Route
  segments: Array<{ literal: string } | { param: string; greedy: boolean }>
}

export interface RouteMatch {
  route: Route
  params: Record<string, string>
}

export type RouteLookup = RouteMatch | { notFound: true; allowedMethods: HttpMethod[] }

export class Router {
  private readonly compiled: CompiledRoute[]

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => ({
      route,
      segments: splitPath(route.pattern).map((segment) => {
        const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment)
        return param ? { param: param[1]!, greedy: param[2] === '+' } : { literal: segment }
      })
    }))
  }

  /** Literal segments beat parameters, so `/thing-groups/addThingToThingGroup` wins over `/thing-groups/{name}`. */
  find(method: HttpMethod, rawPath: string): RouteLookup {
    const pathSegments = splitPath(rawPath)
    let best: { match: RouteMatch; literals: number } | undefined
    const allowedMethods: HttpMethod[] = []
    for (const candidate of this.compiled) {
      const params = matchSegments(candidate.segments, pathSegments)
      if (!params) continue
      if (candidate.route.method !== method) {
        allowedMethods.push(candidate.route.method)
        continue
      }
      const literals = candidate.segments.filter((segment) => 'literal' in segment).length
      if (!best || literals > best.literals) best = { match: { route: candidate.route, params }, literals }
    }
    return best ? best.match : { notFound: true, allowedMethods }
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0)
}

function matchSegments(pattern: CompiledRoute['segments'], path: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i]!
    if ('literal' in segment) {
      if (path[i] !== segment.literal) return undefined
      continue
    }
    if (segment.greedy) {
      if (i >= path.length) return undefined
      params[segment.param] = path.slice(i).map(decode).join('/')
      return i === pattern.length - 1 ? params : undefined
    }
    if (path[i] === undefined) return undefined
    params[segment.param] = decode(path[i]!)
  }
  return pattern.length === path.length ? params : undefined
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
