/**
 * The sandbox's own JavaScript lives in a checked file (src-main/scripts/sandbox-js/driver.js):
 * the text the host evaluates in QuickJS must be that file's function, self-contained, whether
 * the host runs from sources (Vitest, tsx) or from a bundle (esbuild, as the CLI build does).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseExpressionAt } from 'acorn';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DRIVER_SOURCE } from '../../src-main/scripts/driver-source';
import { bindingKey, resolveNames } from '../../src-main/scripts/scope';
import type { AstNode } from '../../src-main/scripts/script-ast';
import { ATTRIBUTE_NAME } from '../../src-main/scripts/used-attributes';

const ROOT = join(__dirname, '..', '..');
const DRIVER_FILE = join(ROOT, 'src-main', 'scripts', 'sandbox-js', 'driver.js');

/**
 * A function's tree without positions, raw texts and empty statements (Vitest's transform adds
 * some), with its own variables numbered in order of appearance: two printings of the same code
 * compare equal even when a bundler reprints quotes and numbers or renames locals (esbuild turns
 * `BATCH` into `BATCH2` when another module of the bundle has a top-level `BATCH`).
 */
function shape(fn: AstNode): unknown {
  const program = { type: 'Program', start: 0, end: 0, sourceType: 'script', body: [{ type: 'ExpressionStatement', start: 0, end: 0, expression: fn }] } as unknown as AstNode;
  const names = resolveNames(program);
  const bound: Array<[AstNode, string]> = [...names.declarations.entries()];
  for (const r of names.references) if (r.scope) bound.push([r.node, bindingKey(r.scope, r.node.name as string)]);
  const order = new Map<string, number>();
  const local = new Map<AstNode, string>();
  for (const [node, key] of bound.sort((a, b) => a[0].start - b[0].start)) {
    if (!order.has(key)) order.set(key, order.size);
    local.set(node, `#${order.get(key)}`);
  }
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.filter((n) => (n as AstNode | null)?.type !== 'EmptyStatement').map(walk);
    if (!node || typeof node !== 'object') return node;
    const n = node as AstNode;
    if (n.type === 'Identifier') return { type: 'Identifier', name: local.get(n) ?? n.name };
    // esbuild prints `undefined` as `void 0`.
    if (n.type === 'UnaryExpression' && n.operator === 'void' && (n.argument as AstNode).type === 'Literal' && (n.argument as AstNode).value === 0) return { type: 'Identifier', name: 'undefined' };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) {
      if (['start', 'end', 'raw', 'loc', 'range', 'directive', 'shorthand'].includes(k)) continue;
      // A property's name is not a variable: `{ p }` and `{ p: p2 }` have the same key.
      const isKey = (k === 'key' && !n.computed && n.type !== 'PrivateIdentifier') || (k === 'property' && n.type === 'MemberExpression' && !n.computed);
      out[k] = isKey && (v as AstNode).type === 'Identifier' ? { type: 'Identifier', name: (v as AstNode).name } : walk(v);
    }
    return out;
  };
  return walk({ ...fn, type: 'Function', id: null });
}

/** The driver function as written in the file on disk. */
function fileFunction(): AstNode {
  const program = parse(readFileSync(DRIVER_FILE, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
  const exported = (program.body as AstNode[]).filter((s) => s.type === 'ExportNamedDeclaration');
  expect(exported).toHaveLength(1);
  return exported[0].declaration as AstNode;
}

/** The function a DRIVER_SOURCE text evaluates to, as a tree. */
function sourceFunction(source: string): AstNode {
  const program = parse(source, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as AstNode;
  const body = program.body as AstNode[];
  expect(body).toHaveLength(1);
  return body[0].expression as AstNode;
}

/** The same function, ignoring its own name (a bundler may rename the declaration). */
const sameFunction = (a: AstNode, b: AstNode) => expect(shape(a)).toEqual(shape(b));

describe('the sandbox driver', () => {
  it('enters the sandbox as the checked file\'s function, unchanged', () => {
    sameFunction(sourceFunction(DRIVER_SOURCE), fileFunction());
  });

  it('stays the same function through an esbuild bundle of the host', async () => {
    const out = await build({ entryPoints: [join(ROOT, 'src-main', 'scripts', 'driver-source.ts')], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent' });
    const bundled = (await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`)) as { DRIVER_SOURCE: string };
    sameFunction(sourceFunction(bundled.DRIVER_SOURCE), fileFunction());
  });

  it('stays the same function in the CLI bundle, where esbuild renames some of its variables', async () => {
    const out = await build({
      entryPoints: [join(ROOT, 'src-main', 'cli', 'main.ts')],
      bundle: true,
      splitting: true,
      write: false,
      outdir: join(ROOT, 'dist', 'driver-source-test'),
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['better-sqlite3', 'quickjs-emscripten', 'quickjs-emscripten-core', '@jitl/*'],
      logLevel: 'silent',
    });
    const chunks = out.outputFiles.filter((f) => f.text.includes('function sandboxDriver('));
    expect(chunks).toHaveLength(1);
    const text = chunks[0].text;
    sameFunction(parseExpressionAt(text, text.indexOf('function sandboxDriver('), { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode, fileFunction());
  });

  it('imports nothing and refers to nothing but ECMAScript globals and QuickJS\'s', () => {
    const text = readFileSync(DRIVER_FILE, 'utf8');
    const program = parse(text, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
    expect((program.body as AstNode[]).some((s) => s.type === 'ImportDeclaration')).toBe(false);
    // resolveNames takes a Program: the function is wrapped in one.
    const wrapped = { type: 'Program', start: 0, end: 0, body: [{ type: 'ExpressionStatement', start: 0, end: 0, expression: fileFunction() }] } as unknown as AstNode;
    const globals = new Set(resolveNames(wrapped).references.filter((r) => r.scope === null).map((r) => r.node.name as string));
    expect([...globals].sort()).toEqual(['Array', 'Error', 'Int32Array', 'JSON', 'Object', 'Promise', 'Proxy', 'RangeError', 'Reflect', 'Set', 'String', 'Symbol', 'globalThis', 'undefined']);
  });

  it('uses the same attribute-name grammar as the static analysis', () => {
    const m = /const ATTRIBUTE = (\/.*\/);/.exec(readFileSync(DRIVER_FILE, 'utf8'));
    expect(m?.[1]).toBe(String(ATTRIBUTE_NAME));
  });
});
