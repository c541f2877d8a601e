import { ScramExchange, scramVerifier } from './scram';

// RFC 7677 section 3: user "user", password "pencil"; every message below is the RFC's.
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST =
  'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

function exchange(password: string): ScramExchange {
  return new ScramExchange(scramVerifier(password, SALT, 4096), SERVER_NONCE);
}

describe('SCRAM-SHA-256 server (RFC 7677 test vector)', () => {
  it('answers the RFC exchange with the RFC messages', () => {
    const scram = exchange('pencil');
    expect(scram.first(CLIENT_FIRST)).toBe(SERVER_FIRST);
    expect(scram.final(CLIENT_FINAL)).toBe(SERVER_FINAL);
  });

  it('refuses the RFC proof when the server holds another password', () => {
    const scram = exchange('pencil2');
    expect(scram.first(CLIENT_FIRST)).not.toBeNull();
    expect(scram.final(CLIENT_FINAL)).toBeNull();
  });

  it('refuses a proof with one bit flipped, a changed nonce or channel-binding header', () => {
    const flipped = CLIENT_FINAL.replace('p=dHzb', 'p=dHzc');
    const otherNonce = CLIENT_FINAL.replace('r=rOpr', 'r=rOps');
    const otherBinding = CLIENT_FINAL.replace('c=biws', 'c=eSws');
    for (const final of [flipped, otherNonce, otherBinding]) {
      const scram = exchange('pencil');
      scram.first(CLIENT_FIRST);
      expect(scram.final(final)).toBeNull();
    }
  });

  it('refuses a final message before a first one, and malformed first messages', () => {
    expect(exchange('pencil').final(CLIENT_FINAL)).toBeNull();
    for (const first of [
      '',
      'n,,',
      'p=tls-server-end-point,,n=,r=abc',
      'n,,n=user',
      'n,,n=user,r=',
      'x,,n=user,r=abc',
    ]) {
      expect(exchange('pencil').first(first)).toBeNull();
    }
  });
});
