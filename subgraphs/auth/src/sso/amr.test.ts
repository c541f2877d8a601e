import { oidcAmr, samlAmr } from './amr';

// Expected values: RFC 8176 (amr values), SAML 2.0 authn context classes, REFEDS MFA profile,
// Microsoft's documented claim values; written by hand, not derived from the code.
describe('IdP authentication methods -> session amr', () => {
  it.each([
    [['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'], ['fed']],
    [['urn:oasis:names:tc:SAML:2.0:ac:classes:Password'], ['fed']],
    [['urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified'], ['fed']],
    [['urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract'], ['fed', 'mfa']],
    [['urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken'], ['fed', 'mfa']],
    [['https://refeds.org/profile/mfa'], ['fed', 'mfa']],
    [['http://schemas.microsoft.com/claims/multipleauthn'], ['fed', 'mfa']],
    [['urn:okta:saml:2.0:ac:classes:MultiFactor'], ['fed', 'mfa']],
    [[], ['fed']],
  ])('SAML %j -> %j', (refs, amr) => {
    expect(samlAmr(refs)).toEqual(amr);
  });

  it.each([
    [['pwd'], ['fed']],
    [
      ['pwd', 'mfa'],
      ['fed', 'mfa'],
    ],
    [
      ['pwd', 'otp'],
      ['fed', 'mfa'],
    ],
    [['hwk'], ['fed', 'mfa']],
    [['kba'], ['fed']],
    [undefined, ['fed']],
    ['mfa', ['fed']],
  ])('OIDC %j -> %j', (amr, expected) => {
    expect(oidcAmr(amr)).toEqual(expected);
  });
});
