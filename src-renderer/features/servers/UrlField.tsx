import { useCallback } from 'react';
import { globalCatalogNote, serverPartOf } from '../../../src-shared/domain/base-detection';
import { presetOfDraft, SERVER_PRESETS } from '../../../src-shared/domain/presets';
import { parseLdapUrl } from '../../../src-shared/ldap/url';
import { CodeInput, Field } from './Field';
import { useDetectBase } from './use-detect-base';
import type { ServerForm } from './use-server-form';

const HELP =
  'ldap:// or ldaps://; the port defaults to 389 / 636. Active Directory: a domain controller on 389 (StartTLS) or 636, or the Global Catalog on 3268 (StartTLS) / 3269 (the whole forest, but only part of each entry’s attributes).';

/**
 * The URL and search base, with "Detect" (the base from the server's rootDSE: Active Directory's
 * defaultNamingContext, else namingContexts) and a note when the port is a Global Catalog port.
 */
export function UrlField({ form }: { form: ServerForm }) {
  const { draft, errors } = form;
  const offline = draft.offline;
  const { setField } = form;
  const setUrl = useCallback((url: string) => setField('url', url), [setField]);
  const detection = useDetectBase(setUrl);
  const parsed = parseLdapUrl(serverPartOf(draft.url));
  const gcNote = parsed.ok && !offline ? globalCatalogNote(parsed.url.port) : null;
  const preset = presetOfDraft(draft);
  const { result, error, running } = detection.state;
  const detect = () =>
    void detection.detect({ ...(form.saved ? { serverId: form.saved.id } : {}), draft: form.submitDraft, password: form.passwordInput });
  return (
    <Field
      id="server-url"
      label="URL and search base"
      help={offline ? 'Only the search base after the host is used: the snapshot entries below it are read.' : HELP}
      error={errors.url}
      extra={
        <>
          {!offline && (
            <div className="detect-base">
              <button type="button" className="small" onClick={detect} disabled={running || !parsed.ok} data-testid="detect-base" title="Read the server’s rootDSE and put its search base into the URL">
                {running ? 'Detecting…' : 'Detect search base'}
              </button>
              {result && (
                <p className="field-help" role="status" data-testid="detect-base-result">
                  Search base <code>{result.baseDn}</code> from {result.from} ({result.boundAs ? `read as ${result.boundAs}` : 'read anonymously'}). {result.reason}
                </p>
              )}
              {error && (
                <p className="field-warning" role="alert" data-testid="detect-base-error">
                  {error.message}
                </p>
              )}
            </div>
          )}
          {gcNote && (
            <p className="field-warning" data-testid="global-catalog-note">
              {gcNote}
            </p>
          )}
        </>
      }
    >
      {(a11y) => (
        <CodeInput
          {...a11y}
          value={draft.url}
          placeholder={preset === 'active-directory' ? SERVER_PRESETS['active-directory'].urlExample : 'ldaps://dir.example.com:636/ou=people,dc=example,dc=com'}
          onChange={(e) => form.setField('url', e.target.value)}
          onBlur={() => form.touch('url')}
        />
      )}
    </Field>
  );
}
