import { expect } from 'vitest';

/** One sample's value from a Prometheus text exposition, 0 when the series does not exist (yet). */
export function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.split('\n')) {
    const bare = line.startsWith(`${name} `);
    if (!bare && !line.startsWith(`${name}{`)) continue;
    const labelText = bare ? '' : line.slice(name.length + 1, line.indexOf('}'));
    const present = labelText.split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** GET the metrics listener, as Prometheus does; the text exposition. */
export async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The metric families (`# TYPE name kind`) an exposition declares. */
export function metricFamilies(exposition: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of exposition.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match?.[1] && match[2]) families.set(match[1], match[2]);
  }
  return families;
}
