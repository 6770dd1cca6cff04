import { ServersScreen } from './features/servers/ServersScreen';

/** The application shell: a title bar and the Servers screen (the only screen so far). */
export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>LDAP Sync Studio</h1>
      </header>
      <main className="app-main">
        <ServersScreen />
      </main>
    </div>
  );
}
