import { describe, expect, it } from 'vitest';
import { type SignInStep, type SignInStepName } from '../../src-shared/domain/sign-in';
import { STEP_LABELS, stepText, stepTime } from '../../src-renderer/features/signin/sign-in-steps';

const step = (name: SignInStepName, detail: string): SignInStep => ({ name, ok: true, ms: 1, detail });

describe('the Test sign-in panel steps', () => {
  it('shows the search step\'s ldapsearch line apart from its summary, so it can be copied whole', () => {
    const line = "ldapsearch -x -H 'ldap://127.0.0.1:389' -D 'cn=sync' -W -b 'ou=people' -s sub -z 2 -LLL '(uid=star\\2a)' uid";
    expect(stepText(step('search', `(uid=star\\2a) under ou=people: no entry\n${line}`))).toEqual({ text: '(uid=star\\2a) under ou=people: no entry', ldapsearch: line });
  });

  it('leaves other steps, and a search without an ldapsearch line, as they are', () => {
    expect(stepText(step('dn', 'uid=a,ou=people'))).toEqual({ text: 'uid=a,ou=people', ldapsearch: null });
    expect(stepText(step('search', 'LDAP_ERROR: connection refused'))).toEqual({ text: 'LDAP_ERROR: connection refused', ldapsearch: null });
    // A DN or message that happens to mention ldapsearch on a later line of another step stays inline.
    expect(stepText(step('outcome', 'a\nldapsearch b')).ldapsearch).toBeNull();
  });

  it('gives times in milliseconds with one decimal below 10 ms, and in seconds from one second', () => {
    expect(stepTime(0.1)).toBe('0.1 ms');
    expect(stepTime(9.94)).toBe('9.9 ms');
    expect(stepTime(9.96)).toBe('10 ms');
    expect(stepTime(42.4)).toBe('42 ms');
    expect(stepTime(1234)).toBe('1.2 s');
  });

  it('has a label in the admin\'s words for every step main reports', () => {
    const names: SignInStepName[] = ['organization', 'search', 'dn', 'bind', 'scripts', 'local password', 'account', 'registration', 'outcome'];
    expect(names.map((n) => STEP_LABELS[n])).toEqual(['Organization and server', 'Search', 'DN found', 'Bind', 'Scripts', 'Local password', 'Account', 'Registration', 'Outcome']);
  });
});
