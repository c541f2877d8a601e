import { IDP_CERT_BASE64, IDP_CERT_PEM, idpMetadata } from '../../test/sso-fixtures';
import { parseIdpMetadata, toPem } from './saml-metadata';

describe('IdP metadata', () => {
  it('reads the entity id, the HTTP-Redirect SSO URL and the signing certificate', () => {
    const idp = parseIdpMetadata(
      idpMetadata('http://www.okta.com/exk1', 'https://acme.okta.test/app/sso/saml'),
    );
    expect(idp).toEqual({
      entityId: 'http://www.okta.com/exk1',
      ssoUrl: 'https://acme.okta.test/app/sso/saml',
      certificates: [IDP_CERT_PEM],
    });
  });

  it('turns base64 DER into the same PEM openssl wrote, and refuses what is no certificate', () => {
    expect(toPem(IDP_CERT_BASE64)).toBe(IDP_CERT_PEM);
    expect(toPem(IDP_CERT_PEM)).toBe(IDP_CERT_PEM);
    expect(() => toPem('bm90IGEgY2VydGlmaWNhdGU=')).toThrow('not an X.509 certificate');
  });

  it.each([
    ['not XML', 'hello'],
    [
      'no IdP',
      '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>',
    ],
    [
      'no signing certificate',
      idpMetadata('urn:x', 'https://idp.test/sso').replace(
        /<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/,
        '',
      ),
    ],
    ['a broken certificate', idpMetadata('urn:x', 'https://idp.test/sso', 'AAAA')],
  ])('refuses metadata with %s (BAD_USER_INPUT)', (_, xml) => {
    expect(() => parseIdpMetadata(xml)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });
});
