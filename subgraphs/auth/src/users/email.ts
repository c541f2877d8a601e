import { badInput } from '@bastion/platform';

// Deliberately loose: one @, a dot in the domain, no spaces. Deliverability is proven by verification mail.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function assertEmail(email: string, field = 'email'): string {
  const normalized = normalizeEmail(email);
  if (normalized.length > 254 || !EMAIL.test(normalized))
    throw badInput({ [field]: 'Enter a valid email address.' });
  return normalized;
}
