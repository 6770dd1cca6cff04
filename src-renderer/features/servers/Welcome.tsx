/** Props of {@link Welcome}. */
export interface WelcomeProps {
  onAdd: () => void;
  /** Offered on a first start (empty store): installs and opens the bundled sample directory. */
  onOpenSample?: () => void;
  /** The sample is being installed. */
  openingSample?: boolean;
}

/** The first screen with no servers yet: what the app does and the ways in (a server of one's own, or the sample). */
export function Welcome({ onAdd, onOpenSample, openingSample = false }: WelcomeProps) {
  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">Welcome to LDAP Sync Studio</h2>
      <p>
        Connect a directory (OpenLDAP, Active Directory, 389 Directory Server…), map its entries to users, organizations and roles,
        simulate a synchronization, then keep users in step on a schedule, with safety limits against mass deactivation.
      </p>
      <p>Start by adding the LDAP server to read from. The connection doctor tests each step (name, network, TLS, bind, search) as you go.</p>
      {onOpenSample && (
        <p data-testid="sample-offer">
          Or explore first with the sample directory: a fictional company&apos;s 320 people, offline (no server needed), with example scripts and
          organizations you can preview, test and simulate.
        </p>
      )}
      <div className="toolbar">
        <button type="button" className="primary" onClick={onAdd}>
          Add a server
        </button>
        {onOpenSample && (
          <button type="button" onClick={onOpenSample} disabled={openingSample}>
            {openingSample ? 'Opening the sample…' : 'Open the sample directory'}
          </button>
        )}
      </div>
    </section>
  );
}
