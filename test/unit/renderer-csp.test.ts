import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP, RENDERER_HEADERS } from '../../src-main/renderer-csp';

const ROOT = join(__dirname, '../..');
const require = createRequire(import.meta.url);
// Google's CSP Evaluator as Electronegativity ships it (its CSP_GLOBAL_CHECK).
const csp = require('@doyensec/csp-evaluator') as {
  CspParser: new (text: string) => { csp: unknown };
  CspEvaluator: new (policy: unknown, version: unknown) => { evaluate(): { severity: number; directive: string; value?: string; description: string }[] };
  Version: { CSP3: unknown };
  severities: Record<string, number>;
};

/** A policy as a map from directive name to its source list. */
function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name.toLowerCase(), values.join(' ')];
      }),
  );
}

function metaPolicy(): string {
  const html = readFileSync(join(ROOT, 'src-renderer/index.html'), 'utf8');
  const match = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  if (!match) throw new Error('src-renderer/index.html has no CSP meta tag');
  return match[1];
}

describe('the renderer CSP header', () => {
  it("sends the page's own policy, plus frame-ancestors, which only a header can carry", () => {
    const header = directives(RENDERER_CSP);
    const meta = directives(metaPolicy());
    for (const [name, value] of meta) expect(header.get(name), name).toBe(value);
    expect([...header.keys()].filter((name) => !meta.has(name))).toEqual(['frame-ancestors']);
    expect(header.get('frame-ancestors')).toBe("'none'");
  });

  it('allows no inline or evaluated script or style and no plugins', () => {
    expect(RENDERER_CSP).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|\*/);
    expect(directives(RENDERER_CSP).get('object-src')).toBe("'none'");
    expect(directives(RENDERER_CSP).get('base-uri')).toBe("'none'");
  });

  it("leaves the CSP Evaluator nothing worse than its note on script-src 'self'", () => {
    const findings = new csp.CspEvaluator(new csp.CspParser(RENDERER_CSP).csp, csp.Version.CSP3).evaluate();
    const serious = findings.filter((f) => f.severity === csp.severities.HIGH || f.severity === csp.severities.MEDIUM);
    expect(serious).toEqual([]);
    expect(findings.map((f) => `${f.directive} ${f.value ?? ''}`.trim())).toEqual(["script-src 'self'"]);
  });

  it('forbids MIME sniffing alongside the policy', () => {
    expect(RENDERER_HEADERS).toEqual({ 'Content-Security-Policy': RENDERER_CSP, 'X-Content-Type-Options': 'nosniff' });
  });
});
