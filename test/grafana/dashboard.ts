/** Reads the metric names out of the PromQL expressions of the Grafana dashboard in deploy/grafana. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PATH = fileURLToPath(new URL('../../deploy/grafana/scimflow.json', import.meta.url));

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Every `expr` of the dashboard's panels and variables' queries. */
export function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as {
    panels: { targets?: { expr: string }[] }[];
    templating: { list: { query?: string | { query: string } }[] };
  };
  const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === 'string' ? undefined : variable.query?.query;
    const values = query && /^label_values\((.+),\s*\w+\)$/.exec(query);
    if (values) expressions.push(values[1]!);
  }
  return expressions;
}

/**
 * The metric names a PromQL expression selects: what is left once strings, label matchers, range
 * and grouping clauses, function calls, keywords and numbers are taken out.
 *
 * @example metricNames('sum by (app) (rate(x_total{app=~"$app"}[5m]))') // ['x_total']
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+-?[0-9a-z]+/gi, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\()/g)) {
    const name = match[0];
    if (KEYWORDS.has(name.toLowerCase()) || /^\$/.test(name)) continue;
    // A token cut short by the lookahead (`rat` of `rate(`) is followed by more word characters.
    const next = stripped[match.index + name.length];
    if (next !== undefined && /[a-zA-Z0-9_:(]/.test(next)) continue;
    names.add(name);
  }
  return [...names];
}
