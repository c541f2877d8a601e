import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';

/**
 * Passkey ceremonies: the API hands out options as a JSON string and takes the browser's answer as
 * a JSON string (docs/configuration.md "Browser frontends"). Errors become words, never the DOMException.
 */
export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

export async function createPasskey(optionsJson: string): Promise<string> {
  const response = await startRegistration({ optionsJSON: JSON.parse(optionsJson) });
  return JSON.stringify(response);
}

export async function usePasskey(optionsJson: string): Promise<string> {
  const response = await startAuthentication({ optionsJSON: JSON.parse(optionsJson) });
  return JSON.stringify(response);
}

/** Words for a failed ceremony (cancelled, no passkey, wrong site). */
export function passkeyFailure(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError')
    return 'The passkey prompt was closed or timed out. Try again.';
  if (name === 'InvalidStateError') return 'This device already holds a passkey for this account.';
  if (name === 'SecurityError')
    return 'Passkeys work only on the address the server expects (open the console on localhost or its configured host).';
  return 'The passkey could not be used. Try again.';
}
