import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|tsx)$/.test(name)) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

// The process boundaries, held by a test instead of a lint plugin (VS Code's layering rule).
describe('layering', () => {
  it('keeps src-shared free of Electron, Node and React, and of the other layers', () => {
    const bad = sources('src-shared').flatMap((f) =>
      imports(f)
        .filter((i) => /^(electron|react|react-dom)(\/|$)|^node:|^(fs|path|os|net|tls|crypto|child_process)$/.test(i) || /src-(main|renderer)/.test(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('keeps the renderer away from src-main, Node and Electron', () => {
    const bad = sources('src-renderer').flatMap((f) =>
      imports(f)
        .filter((i) => /src-main/.test(i) || /^node:|^electron(\/|$)/.test(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('lets components use the typed client, never IPC channel strings', () => {
    const bad = sources('src-renderer').filter((f) => /lss:(invoke|event)|ipcRenderer/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(bad.map((f) => relative(ROOT, join(ROOT, f)))).toEqual([]);
  });

  it('keeps the preload down to the typed api: invoke and on, over the two channels', () => {
    const text = readFileSync(join(ROOT, 'src-main/preload.ts'), 'utf8');
    expect(text.match(/exposeInMainWorld/g)).toHaveLength(1);
    expect(text).toContain("exposeInMainWorld('api', api)");
    expect(text).not.toMatch(/ipcRenderer\.send\b|require\(/);
  });
});
