// Imported first by main.tsx. zod probes for eval (`new Function('')`) to compile faster object
// parsers; the renderer's CSP blocks eval, so each probe is a reported CSP violation. Jitless mode
// skips the probe: the renderer never asks for eval at all.
import { config } from 'zod';

config({ jitless: true });
