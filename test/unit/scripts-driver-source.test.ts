/**
 * The sandbox's own JavaScript lives in a checked file (src-main/scripts/sandbox-js/driver.js):
 * the text the host evaluates in QuickJS must be that file's function, self-contained, whether
 * the host runs from sources (Vitest, tsx) or from a bundle (esbuild, as the CLI build does).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DRIVER_SOURCE } from '../../src-main/scripts/driver-source';
import { resolveNames } from '../../src-main/scripts/scope';
import type { AstNode } from '../../src-main/scripts/script-ast';
import { ATTRIBUTE_NAME } from '../../src-main/scripts/used-attributes';

const ROOT = join(__dirname, '..', '..');
const DRIVER_FILE = join(ROOT, 'src-main', 'scripts', 'sandbox-js', 'driver.js');

/**
 * A tree without positions, raw texts and empty statements (Vitest's transform adds some), so
 * that two printings of the same code compare equal (esbuild reprints quotes and numbers).
 */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.filter((n) => (n as AstNode | null)?.type !== 'EmptyStatement').map(shape);
  if (!node || typeof node !== 'object') return node;
  const n = node as AstNode;
  // esbuild prints `undefined` as `void 0`.
  if (n.type === 'UnaryExpression' && n.operator === 'void' && (n.argument as AstNode).type === 'Literal' && (n.argument as AstNode).value === 0) return { type: 'Identifier', name: 'undefined' };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (!['start', 'end', 'raw', 'loc', 'range', 'directive', 'shorthand'].includes(k)) out[k] = shape(v);
  return out;
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

/** The same function, ignoring its own name (a bundler may rename the declaration, never its body). */
const sameFunction = (a: AstNode, b: AstNode) => expect(shape({ ...a, type: 'Function', id: null })).toEqual(shape({ ...b, type: 'Function', id: null }));

describe('the sandbox driver', () => {
  it('enters the sandbox as the checked file\'s function, unchanged', () => {
    sameFunction(sourceFunction(DRIVER_SOURCE), fileFunction());
  });

  it('stays the same function through an esbuild bundle of the host', async () => {
    const out = await build({ entryPoints: [join(ROOT, 'src-main', 'scripts', 'driver-source.ts')], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent' });
    const bundled = (await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`)) as { DRIVER_SOURCE: string };
    sameFunction(sourceFunction(bundled.DRIVER_SOURCE), fileFunction());
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
