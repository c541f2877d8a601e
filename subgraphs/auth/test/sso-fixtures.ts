/**
 * SSO test fixtures: an IdP signing certificate (self-signed, made once with
 * `openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=test-idp.example.test`; its
 * private key was not kept: these tests never sign) and IdP metadata around it.
 */
export const IDP_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDITCCAgmgAwIBAgIURavboWku4lRqOrgqN3Xx8mMpvVwwDQYJKoZIhvcNAQEL
BQAwIDEeMBwGA1UEAwwVdGVzdC1pZHAuZXhhbXBsZS50ZXN0MB4XDTI2MTIwNzA5
MjExMloXDTM2MTIwNDA5MjExMlowIDEeMBwGA1UEAwwVdGVzdC1pZHAuZXhhbXBs
ZS50ZXN0MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoeFp8ubMGWNf
ir6cwv5LXUeP8FIbqb8SsTbVh9qDo6rNK1r99hBEFYqtDOLd6VPy1ChBk4k5sZJE
dUGmlF7045BdiqTUN7V2zZrAtheBkaf6HtzsfVJJQPY0Yr2tamiAVNzGAfYn43mV
rKPrVQzjOFjUMmUqQMuWjjpcf9GKV8n+vL9Uhs3UMkLS09cCGip/MAgk4ECvRY+M
qurCgmp9RUGgG62F0We61mGmvWyHJMHHUj3CmIDvCWl4h9FgYWxaVijpuHew360t
TFlTW86x6Z06s03tDEbkUvjVrnMwE+g8ioQPRDDxQUcjFd2yiAClSEK9WTR2qFP+
/l7EoNnCmwIDAQABo1MwUTAdBgNVHQ4EFgQUfFzYKuI5qAs+OQHdjsEifbiOy5ow
HwYDVR0jBBgwFoAUfFzYKuI5qAs+OQHdjsEifbiOy5owDwYDVR0TAQH/BAUwAwEB
/zANBgkqhkiG9w0BAQsFAAOCAQEAG/cjgk7XVg4NePCEFwL0H0e+B5DNWlbMoltN
lQQs1O1YtyBbKFsdma/g+fj4K03rruopzzQxFQubU3MoEX39wMf1x6AnK6KUeuKB
bB+3K737azdZv3008/EdUz6AisnSgdbzWPRgTgsQpf4ZIKAeFXqMX8c1uxiRcRPn
jQ+1um8IW31bbwMVQYgmNaiRu/xG7mKlolqdYV0tc1PAxIzR5N/z3m/mxqg4vfBz
Uf1Wdtb6Vlj2yhCTUl6tOdTldqRRGPN3pGm31Awyd8NqFGDvNOmWJ+7/jiIDce2t
92RRtQ5beWlGPIdbgFLq/I1iDcv9kuV9rg8rI+01E7V7EmWF3g==
-----END CERTIFICATE-----`;

/** The certificate's base64 DER, as metadata and IdP consoles show it. */
export const IDP_CERT_BASE64 =
  'MIIDITCCAgmgAwIBAgIURavboWku4lRqOrgqN3Xx8mMpvVwwDQYJKoZIhvcNAQELBQAwIDEeMBwGA1UEAwwVdGVzdC1pZHAuZXhhbXBsZS50ZXN0MB4XDTI2MTIwNzA5MjExMloXDTM2MTIwNDA5MjExMlowIDEeMBwGA1UEAwwVdGVzdC1pZHAuZXhhbXBsZS50ZXN0MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoeFp8ubMGWNfir6cwv5LXUeP8FIbqb8SsTbVh9qDo6rNK1r99hBEFYqtDOLd6VPy1ChBk4k5sZJEdUGmlF7045BdiqTUN7V2zZrAtheBkaf6HtzsfVJJQPY0Yr2tamiAVNzGAfYn43mVrKPrVQzjOFjUMmUqQMuWjjpcf9GKV8n+vL9Uhs3UMkLS09cCGip/MAgk4ECvRY+MqurCgmp9RUGgG62F0We61mGmvWyHJMHHUj3CmIDvCWl4h9FgYWxaVijpuHew360tTFlTW86x6Z06s03tDEbkUvjVrnMwE+g8ioQPRDDxQUcjFd2yiAClSEK9WTR2qFP+/l7EoNnCmwIDAQABo1MwUTAdBgNVHQ4EFgQUfFzYKuI5qAs+OQHdjsEifbiOy5owHwYDVR0jBBgwFoAUfFzYKuI5qAs+OQHdjsEifbiOy5owDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAG/cjgk7XVg4NePCEFwL0H0e+B5DNWlbMoltNlQQs1O1YtyBbKFsdma/g+fj4K03rruopzzQxFQubU3MoEX39wMf1x6AnK6KUeuKBbB+3K737azdZv3008/EdUz6AisnSgdbzWPRgTgsQpf4ZIKAeFXqMX8c1uxiRcRPnjQ+1um8IW31bbwMVQYgmNaiRu/xG7mKlolqdYV0tc1PAxIzR5N/z3m/mxqg4vfBzUf1Wdtb6Vlj2yhCTUl6tOdTldqRRGPN3pGm31Awyd8NqFGDvNOmWJ+7/jiIDce2t92RRtQ5beWlGPIdbgFLq/I1iDcv9kuV9rg8rI+01E7V7EmWF3g==';

/** An IdP's SAML metadata as Okta or Entra ID publish it (an EntityDescriptor). */
export function idpMetadata(
  entityId: string,
  ssoUrl: string,
  certBase64 = IDP_CERT_BASE64,
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>
${certBase64.replace(/(.{64})/g, '$1\n')}
        </ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ssoUrl}/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}
