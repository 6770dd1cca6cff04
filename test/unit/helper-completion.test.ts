/**
 * The script editor's completion of the helpers (src-renderer/features/scripts/helper-completion.ts)
 * on a real CodeMirror state: `ad.` and `groups.` members, the userAccountControl flag names after
 * `ad.UAC.` and in `ad.hasUacFlag(entry, '`, nothing for a property named ad of something else; and
 * the flag names the editor offers are exactly the sandbox's `ad.UAC` (QuickJS).
 */
import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptEngine } from '../../src-main/scripts/engine';
import { helperCompletionSource } from '../../src-renderer/features/scripts/helper-completion';
import { UAC_FLAG_NAMES } from '../../src-shared/domain/ad-uac';

/** The completion at the end of `text` (typed, not explicit). */
function complete(text: string): { from: number; labels: string[]; applied: Record<string, unknown> } | null {
  const state = EditorState.create({ doc: text });
  const r = helperCompletionSource(new CompletionContext(state, text.length, false)) as CompletionResult | null;
  if (!r) return null;
  return { from: r.from, labels: r.options.map((o) => o.label), applied: Object.fromEntries(r.options.map((o) => [o.label, o.apply ?? o.label])) };
}

describe('helper completion', () => {
  it('offers the ad members after ad., from the dot on, with what they insert', () => {
    const text = 'function(entry) { return ad.is';
    const r = complete(text)!;
    expect(r.from).toBe(text.length - 2);
    expect(r.labels).toEqual(['isDisabled', 'uacFlags', 'hasUacFlag', 'UAC', 'fileTime', 'sid', 'guid']);
    expect(r.applied.isDisabled).toBe('isDisabled(entry)');
    expect(r.applied.hasUacFlag).toBe("hasUacFlag(entry, '");
    expect(r.applied.fileTime).toBe('fileTime(entry.');
  });

  it('offers the groups members after groups.', () => {
    const r = complete('e => groups.')!;
    expect(r.labels).toEqual(['isMember', 'of', 'names']);
    expect(r.applied.isMember).toBe("isMember(entry, '");
  });

  it('offers the flag names after ad.UAC. and in the flag argument of ad.hasUacFlag', () => {
    const uac = complete('e => e.userAccountControl & ad.UAC.PASS')!;
    expect(uac.labels).toEqual([...UAC_FLAG_NAMES]);
    expect(uac.from).toBe('e => e.userAccountControl & ad.UAC.'.length);
    const arg = complete("e => ad.hasUacFlag(entry, 'LOCK")!;
    expect(arg.labels).toContain('LOCKOUT');
    expect(arg.from).toBe("e => ad.hasUacFlag(entry, '".length);
    expect(complete('e => ad.hasUacFlag(entry.userAccountControl, "')!.labels).toHaveLength(UAC_FLAG_NAMES.length);
  });

  it('stays quiet elsewhere: a property named ad or groups, another name, a closed call', () => {
    expect(complete('e => e.ad.')).toBeNull();
    expect(complete('e => entry.groups.')).toBeNull();
    expect(complete('e => bad.')).toBeNull();
    expect(complete("e => ad.hasUacFlag(entry, 'LOCKOUT') && ")).toBeNull();
  });
});

describe("the editor's flag names", () => {
  let engine: ScriptEngine;
  beforeAll(async () => {
    engine = await ScriptEngine.create();
  });
  afterAll(() => engine.dispose());

  it("are the sandbox's ad.UAC, in its order", () => {
    const r = engine.evaluate({ active: 'e => true', orgName: null, roleName: 'e => Object.keys(ad.UAC)' }, [{ dn: 'cn=x', attributes: {} }]);
    expect(r.outcomes[0].errors).toEqual([]);
    expect(r.outcomes[0].roles).toEqual([...UAC_FLAG_NAMES]);
  });
});
