/** The collapsible "How scripts work" section: the `entry` object and what each script returns. */
export function ScriptHelp() {
  return (
    <details className="script-help" data-testid="script-help">
      <summary>How scripts work</summary>
      <p>
        Each script is one JavaScript function, <code>function(entry) {'{ … }'}</code>, called once per directory entry in a sandbox with no
        access to files, network or the app. It must finish quickly: a script that runs too long or uses too much memory is stopped, and the
        entry&apos;s rows show the error.
      </p>
      <h4>The entry object</h4>
      <dl className="script-help-list">
        <dt>
          <code>entry.mail</code>
        </dt>
        <dd>
          The attribute&apos;s <strong>first</strong> value as a string, or <code>undefined</code> when the entry does not have it. Names are
          case-insensitive: <code>entry.givenname</code> is <code>entry.givenName</code>.
        </dd>
        <dt>
          <code>entry.dn</code>
        </dt>
        <dd>The entry&apos;s distinguished name.</dd>
        <dt>
          <code>entry.all(&apos;mail&apos;)</code>
        </dt>
        <dd>Every value of the attribute, as an array; empty when the attribute is absent.</dd>
        <dt>
          <code>entry.has(&apos;memberOf&apos;, value)</code>
        </dt>
        <dd>True when one of the attribute&apos;s values equals the value, ignoring case.</dd>
        <dt>Binary attributes</dt>
        <dd>
          Values such as <code>jpegPhoto</code> or <code>objectGUID</code> arrive as base64 strings.
        </dd>
      </dl>
      <h4>What each script returns</h4>
      <ul>
        <li>
          <strong>Active</strong> (required): <code>true</code> keeps the user active, <code>false</code> deactivates. Default{' '}
          <code>function(entry) {'{ return true; }'}</code>.
        </li>
        <li>
          <strong>Org name</strong> (optional): the organization&apos;s name, a string. It must match an existing organization.
        </li>
        <li>
          <strong>Role name</strong> (optional): a role name, or an array of role names.
        </li>
      </ul>
      <p>
        Example: <code>function(entry) {"{ return entry.employeeType != 'contractor'; }"}</code>. Prefer string functions such as{' '}
        <code>indexOf</code> or <code>endsWith</code> to regular expressions where you can. <code>console.log(…)</code> lines appear under Output,
        with the entry&apos;s DN.
      </p>
    </details>
  );
}
