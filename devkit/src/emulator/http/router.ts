/**
 * A small path router for the emulator's hot path. Express would cost most of
 * the emulator's request budget (the issue asks for 5,000 authenticated GETs a
 * second on one core), so routes are compiled once into segment lists grouped
 * by method and segment count, and matching is a short array walk.
 */
export type RouteParams = Record<string, string>;

type Segment = { literal: string } | { param: string };

interface CompiledRoute<Handler> {
  readonly pattern: string;
  readonly segments: readonly Segment[];
  readonly handler: Handler;
}

export type RouteLookup<Handler> =
  | { kind: 'matched'; handler: Handler; params: RouteParams; pattern: string }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

export interface Router<Handler> {
  add(method: string, pattern: string, handler: Handler): void;
  lookup(method: string, path: string): RouteLookup<Handler>;
}

/** Splits `/a/b//c/` into `['a', 'b', 'c']`; empty segments never carry meaning here. */
export function splitPath(path: string): string[] {
  const segments: string[] = [];
  let start = path.charCodeAt(0) === 47 ? 1 : 0;
  for (let index = start; index <= path.length; index++) {
    if (index === path.length || path.charCodeAt(index) === 47) {
      if (index > start) segments.push(path.slice(start, index));
      start = index + 1;
    }
  }
  return segments;
}

function compile(pattern: string): Segment[] {
  return splitPath(pattern).map((part) =>
    part.startsWith(':') ? { param: part.slice(1) } : { literal: part },
  );
}

function matchSegments(route: readonly Segment[], parts: readonly string[]): RouteParams | undefined {
  let params: RouteParams | undefined;
  for (let index = 0; index < route.length; index++) {
    const segment = route[index]!;
    const part = parts[index]!;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(part);
    } catch {
      // A malformed percent-escape cannot name anything this emulator stores.
      return undefined;
    }
    params ??= {};
    params[segment.param] = value;
  }
  return params ?? {};
}

export function createRouter<Handler>(): Router<Handler> {
  const routes = new Map<string, Map<number, CompiledRoute<Handler>[]>>();

  function candidates(method: string, length: number): CompiledRoute<Handler>[] {
    return routes.get(method)?.get(length) ?? [];
  }

  return {
    add(method, pattern, handler) {
      const segments = compile(pattern);
      let byLength = routes.get(method);
      if (!byLength) {
        byLength = new Map();
        routes.set(method, byLength);
      }
      const list = byLength.get(segments.length) ?? [];
      // Literal-first ordering: `/pages/:id` must not swallow a more specific
      // route of the same length registered later.
      list.push({ pattern, segments, handler });
      list.sort((a, b) => literalWeight(b.segments) - literalWeight(a.segments));
      byLength.set(segments.length, list);
    },
    lookup(method, path) {
      const parts = splitPath(path);
      for (const route of candidates(method, parts.length)) {
        const params = matchSegments(route.segments, parts);
        if (params) return { kind: 'matched', handler: route.handler, params, pattern: route.pattern };
      }
      const allowed: string[] = [];
      for (const [otherMethod, byLength] of routes) {
        if (otherMethod === method) continue;
        const list = byLength.get(parts.length) ?? [];
        if (list.some((route) => matchSegments(route.segments, parts))) allowed.push(otherMethod);
      }
      return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
    },
  };
}

function literalWeight(segments: readonly Segment[]): number {
  let weight = 0;
  for (const segment of segments) if ('literal' in segment) weight++;
  return weight;
}
