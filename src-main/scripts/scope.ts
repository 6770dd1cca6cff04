/**
 * Name resolution over a script's tree: which declaration every identifier reference points to,
 * with JavaScript's scoping (function scopes with `var` hoisting, block scopes for let / const /
 * class, parameters, catch clauses, a function expression's own name). The attribute analysis
 * follows the entry parameter through it, so that a helper's own `entry` is never confused with it.
 */
import { children, isFunction, type AstNode } from './script-ast';

/** One scope; a binding is a scope plus a name. */
export class Scope {
  readonly names = new Set<string>();
  constructor(
    readonly parent: Scope | null,
    readonly id: number,
  ) {}

  /** The scope that declares `name`, or null for a global. */
  resolve(name: string): Scope | null {
    for (let s: Scope | null = this; s; s = s.parent) if (s.names.has(name)) return s;
    return null;
  }
}

/** A binding's identity: `${scope.id}:${name}`. */
export const bindingKey = (scope: Scope, name: string) => `${scope.id}:${name}`;

/** An identifier reference and the scope its name resolves to (null: global). */
export interface Reference {
  node: AstNode;
  scope: Scope | null;
}

/** What resolution found. */
export interface Resolution {
  references: Reference[];
  /** Declared identifier nodes (parameters, variables, patterns) -> their binding key. */
  declarations: Map<AstNode, string>;
  /** The scope of each function node. */
  functionScopes: Map<AstNode, Scope>;
  /** Each node's parent. */
  parents: Map<AstNode, AstNode>;
}

/** Names a pattern declares. */
function patternNames(p: AstNode | null, out: string[] = []): string[] {
  if (!p) return out;
  if (p.type === 'Identifier') out.push(p.name as string);
  else if (p.type === 'ObjectPattern') for (const q of p.properties as AstNode[]) patternNames(q.type === 'RestElement' ? (q.argument as AstNode) : (q.value as AstNode), out);
  else if (p.type === 'ArrayPattern') for (const q of p.elements as Array<AstNode | null>) patternNames(q, out);
  else if (p.type === 'AssignmentPattern') patternNames(p.left as AstNode, out);
  else if (p.type === 'RestElement') patternNames(p.argument as AstNode, out);
  return out;
}

/** let / const / class / function declarations directly in a statement list. */
function lexicalNames(statements: AstNode[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    if (s.type === 'VariableDeclaration' && s.kind !== 'var') for (const d of s.declarations as AstNode[]) patternNames(d.id as AstNode, out);
    else if ((s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration') && s.id) out.push((s.id as AstNode).name as string);
  }
  return out;
}

/** `var` names of a function body, and (sloppy-mode hoisting) function declarations in its blocks. */
function varNames(node: AstNode, out: string[] = []): string[] {
  for (const c of children(node)) {
    if (c.type === 'VariableDeclaration' && c.kind === 'var') for (const d of c.declarations as AstNode[]) patternNames(d.id as AstNode, out);
    if (c.type === 'FunctionDeclaration' && c.id) out.push((c.id as AstNode).name as string);
    if (!isFunction(c) && c.type !== 'ClassDeclaration' && c.type !== 'ClassExpression') varNames(c, out);
  }
  return out;
}

/** Resolves every identifier reference of the tree. */
export function resolveNames(program: AstNode): Resolution {
  const references: Reference[] = [];
  const declarations = new Map<AstNode, string>();
  const functionScopes = new Map<AstNode, Scope>();
  const parents = new Map<AstNode, AstNode>();
  let ids = 0;
  const open = (parent: Scope | null, names: string[]) => {
    const s = new Scope(parent, ids++);
    for (const n of names) s.names.add(n);
    return s;
  };

  const todo = [program];
  while (todo.length > 0) {
    const n = todo.pop()!;
    for (const c of children(n)) {
      parents.set(c, n);
      todo.push(c);
    }
  }

  const ref = (id: AstNode, scope: Scope) => references.push({ node: id, scope: scope.resolve(id.name as string) });
  const declare = (id: AstNode, scope: Scope) => {
    const at = scope.resolve(id.name as string);
    if (at) declarations.set(id, bindingKey(at, id.name as string));
  };

  /** Visits a pattern: its identifiers are declared (`declare`) or assigned (references); defaults and computed keys are expressions. */
  const pattern = (p: AstNode | null, scope: Scope, declaring: boolean) => {
    if (!p) return;
    switch (p.type) {
      case 'Identifier':
        if (declaring) declare(p, scope);
        else ref(p, scope);
        return;
      case 'ObjectPattern':
        for (const q of p.properties as AstNode[]) {
          if (q.type === 'RestElement') pattern(q.argument as AstNode, scope, declaring);
          else {
            if (q.computed) walk(q.key as AstNode, scope);
            pattern(q.value as AstNode, scope, declaring);
          }
        }
        return;
      case 'ArrayPattern':
        for (const q of p.elements as Array<AstNode | null>) pattern(q, scope, declaring);
        return;
      case 'AssignmentPattern':
        pattern(p.left as AstNode, scope, declaring);
        walk(p.right as AstNode, scope);
        return;
      case 'RestElement':
        pattern(p.argument as AstNode, scope, declaring);
        return;
      default:
        walk(p, scope);
    }
  };

  const statements = (list: AstNode[], scope: Scope) => {
    for (const s of list) walk(s, scope);
  };

  const walk = (n: AstNode | null, scope: Scope): void => {
    if (!n) return;
    switch (n.type) {
      case 'Identifier':
        ref(n, scope);
        return;
      case 'MemberExpression':
        walk(n.object as AstNode, scope);
        if (n.computed) walk(n.property as AstNode, scope);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (n.computed) walk(n.key as AstNode, scope);
        walk(n.value as AstNode, scope);
        return;
      case 'LabeledStatement':
        walk(n.body as AstNode, scope);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        return;
      case 'VariableDeclaration':
        for (const d of n.declarations as AstNode[]) {
          pattern(d.id as AstNode, scope, true);
          walk(d.init as AstNode, scope);
        }
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const params = n.params as AstNode[];
        const names = params.flatMap((p) => patternNames(p));
        if (n.type !== 'ArrowFunctionExpression') names.push('arguments');
        if (n.type === 'FunctionExpression' && n.id) names.push((n.id as AstNode).name as string);
        const body = n.body as AstNode;
        if (body.type === 'BlockStatement') names.push(...varNames(body), ...lexicalNames(body.body as AstNode[]));
        const inner = open(scope, names);
        functionScopes.set(n, inner);
        for (const p of params) pattern(p, inner, true);
        if (body.type === 'BlockStatement') statements(body.body as AstNode[], inner);
        else walk(body, inner);
        return;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const inner = n.type === 'ClassExpression' && n.id ? open(scope, [(n.id as AstNode).name as string]) : scope;
        walk(n.superClass as AstNode, inner);
        walk(n.body as AstNode, inner);
        return;
      }
      case 'CatchClause': {
        const inner = open(scope, patternNames(n.param as AstNode));
        pattern(n.param as AstNode, inner, true);
        walk(n.body as AstNode, inner);
        return;
      }
      case 'BlockStatement':
      case 'StaticBlock':
        statements(n.body as AstNode[], open(scope, lexicalNames(n.body as AstNode[])));
        return;
      case 'SwitchStatement': {
        walk(n.discriminant as AstNode, scope);
        const cases = n.cases as AstNode[];
        const inner = open(scope, lexicalNames(cases.flatMap((c) => c.consequent as AstNode[])));
        for (const c of cases) {
          walk(c.test as AstNode, inner);
          statements(c.consequent as AstNode[], inner);
        }
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const head = (n.type === 'ForStatement' ? n.init : n.left) as AstNode | null;
        const inner = head?.type === 'VariableDeclaration' && head.kind !== 'var' ? open(scope, lexicalNames([head])) : scope;
        if (n.type === 'ForStatement') {
          walk(head, inner);
          walk(n.test as AstNode, inner);
          walk(n.update as AstNode, inner);
        } else {
          if (head?.type === 'VariableDeclaration') walk(head, inner);
          else pattern(head, inner, false);
          walk(n.right as AstNode, inner);
        }
        walk(n.body as AstNode, inner);
        return;
      }
      case 'AssignmentExpression':
        pattern(n.left as AstNode, scope, false);
        walk(n.right as AstNode, scope);
        return;
      default:
        for (const c of children(n)) walk(c, scope);
    }
  };

  const body = program.body as AstNode[];
  statements(body, open(null, [...varNames(program), ...lexicalNames(body)]));
  return { references, declarations, functionScopes, parents };
}
