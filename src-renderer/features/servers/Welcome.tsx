/** The first screen with no servers yet: what the app does and the way in. */
export function Welcome({ onAdd }: { onAdd: () => void }) {
  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">Welcome to LDAP Sync Studio</h2>
      <p>
        Connect a directory (OpenLDAP, Active Directory, 389 Directory Server…), map its entries to users, organizations and roles,
        simulate a synchronization, then keep users in step on a schedule, with safety limits against mass deactivation.
      </p>
      <p>Start by adding the LDAP server to read from. The connection doctor tests each step (name, network, TLS, bind, search) as you go.</p>
      <button type="button" className="primary" onClick={onAdd}>
        Add a server
      </button>
    </section>
  );
}
