import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { badInput } from '@bastion/platform';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file shipped with the service
    readFileSync(resolve(__dirname, '../../data/common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
  return common;
}

/**
 * NIST 800-63B style: length and a block list, no character-class rules (they push people to
 * "Password1!"). Throws BAD_USER_INPUT naming the field.
 */
export function assertAcceptablePassword(password: string, field = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    throw badInput({ [field]: `Use at least ${PASSWORD_MIN_LENGTH} characters.` });
  if (length > PASSWORD_MAX_LENGTH)
    throw badInput({ [field]: `Use at most ${PASSWORD_MAX_LENGTH} characters.` });
  if (commonPasswords().has(password.toLowerCase())) {
    throw badInput({ [field]: 'This password is too common; choose another.' });
  }
}
