// "Detect" next to the URL: reads the rootDSE (servers.detectBase) and puts the suggested search base into the URL.
import { useCallback, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { BaseDetection } from '../../../src-shared/domain/base-detection';
import { DEFAULT_TIMEOUT_SECONDS, type WindowPasswordInput, type ServerDraft } from '../../../src-shared/domain/server';
import type { ErrorInfo } from '../../../src-shared/errors';

/** The detection's state: running, the last result (its base is already in the URL) or the last error. */
export interface DetectBaseState {
  running: boolean;
  result: BaseDetection | null;
  error: ErrorInfo | null;
}

/** Search base detection for one form; `apply` receives the URL with the detected base. */
export function useDetectBase(apply: (url: string) => void) {
  const [state, setState] = useState<DetectBaseState>({ running: false, result: null, error: null });
  const detect = useCallback(
    async (input: { serverId?: string; draft: ServerDraft; password: WindowPasswordInput }) => {
      setState({ running: true, result: null, error: null });
      // The timeout box may hold a half-typed number: the detection still runs, with the default.
      const t = input.draft.timeoutSeconds;
      const draft = { ...input.draft, timeoutSeconds: Number.isInteger(t) && t >= 1 && t <= 3600 ? t : DEFAULT_TIMEOUT_SECONDS };
      try {
        const result = await call('servers.detectBase', { ...input, draft });
        apply(result.url);
        setState({ running: false, result, error: null });
      } catch (error) {
        setState({ running: false, result: null, error: errorInfoOf(error) });
      }
    },
    [apply],
  );
  const clear = useCallback(() => setState({ running: false, result: null, error: null }), []);
  return { state, detect, clear };
}
