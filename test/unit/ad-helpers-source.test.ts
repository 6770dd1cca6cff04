/**
 * The helpers' JavaScript (src-main/scripts/sandbox-js/helpers.js) enters the sandbox as source
 * text, like the driver: it must be self-contained, and the text the host evaluates must be the
 * file's function, from sources and from the CLI bundle.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseExpressionAt } from 'acorn';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { GROUPS_FIELD, GROUPS_LOADED, HELPERS_SOURCE } from '../../src-main/scripts/driver-source';
import { resolveNames } from '../../src-main/scripts/scope';
import type { AstNode } from '../../src-main/scripts/script-ast';
import { sandboxHelpers } from '../../src-main/scripts/sandbox-js/helpers.js';

const ROOT = join(__dirname, '..', '..');
const HELPERS_FILE = join(ROOT, 'src-main', 'scripts', 'sandbox-js', 'helpers.js');

/** The global names a function refers to. */
function globalsOf(fn: AstNode): string[] {
  const wrapped = { type: 'Program', start: 0, end: 0, body: [{ type: 'ExpressionStatement', start: 0, end: 0, expression: fn }] } as unknown as AstNode;
  return [...new Set(resolveNames(wrapped).references.filter((r) => r.scope === null).map((r) => r.node.name as string))].sort();
}

describe('the sandbox helpers\' source', () => {
  it('imports nothing and refers to nothing but ECMAScript globals', () => {
    const program = parse(readFileSync(HELPERS_FILE, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
    const body = program.body as AstNode[];
    expect(body.some((s) => s.type === 'ImportDeclaration')).toBe(false);
    const exported = body.filter((s) => s.type === 'ExportNamedDeclaration');
    expect(exported).toHaveLength(1);
    const allowed = new Set(['BigInt', 'Date', 'Error', 'JSON', 'Math', 'Number', 'Object', 'RangeError', 'String', 'TypeError', 'parseInt', 'undefined']);
    expect(globalsOf(exported[0].declaration as AstNode).filter((g) => !allowed.has(g))).toEqual([]);
  });

  it('enters the sandbox as the file\'s function', () => {
    expect(HELPERS_SOURCE).toBe(`(${sandboxHelpers.toString()})`);
  });

  it('is in the CLI bundle as a self-contained function', async () => {
    const out = await build({
      entryPoints: [join(ROOT, 'src-main', 'cli', 'main.ts')],
      bundle: true,
      splitting: true,
      write: false,
      outdir: join(ROOT, 'dist', 'helpers-source-test'),
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['better-sqlite3', 'quickjs-emscripten', 'quickjs-emscripten-core', '@jitl/*'],
      logLevel: 'silent',
    });
    const chunks = out.outputFiles.filter((f) => f.text.includes('function sandboxHelpers('));
    expect(chunks).toHaveLength(1);
    const text = chunks[0].text;
    const fn = parseExpressionAt(text, text.indexOf('function sandboxHelpers('), { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
    // The same globals as the file (esbuild prints `undefined` as `void 0`): nothing of the bundle leaks in.
    const file = parse(readFileSync(HELPERS_FILE, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
    const declared = ((file.body as AstNode[]).find((s) => s.type === 'ExportNamedDeclaration')!.declaration) as AstNode;
    expect(globalsOf(fn).filter((g) => g !== 'undefined')).toEqual(globalsOf(declared).filter((g) => g !== 'undefined'));
  });

  it('names the computed groups field as the host packs it', () => {
    const text = readFileSync(HELPERS_FILE, 'utf8');
    expect(text).toContain(`GROUPS_FIELD = '${GROUPS_FIELD}', GROUPS_LOADED = '\\u${GROUPS_LOADED.charCodeAt(0).toString(16).padStart(4, '0')}'`);
  });
});
