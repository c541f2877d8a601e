import { randomUUID } from 'node:crypto';
import { IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import {
  AppError,
  badInput,
  conflict,
  invalidToken,
  isUniqueViolation,
  notFound,
  schemaOf,
  type ClientInfo,
  type Logger,
  type OutboxRelay,
} from '@bastion/platform';
import { recordAudit, type AuditEntry } from '../audit/audit';
import { UserEntity } from '../users/user.entity';
import { MfaFactorEntity, WebAuthnChallengeEntity, type WebAuthnPurpose } from './mfa.entities';
import type { FactorConfirmationModel } from './models';
import type {
  FactorLifecycle,
  PasskeyAssertionCheck,
  PasskeyVerifier,
  VerifiedPasskey,
} from './ports';
import type { WebAuthnSettings } from './webauthn-config';

/** @simplewebauthn/server is loaded by the first passkey ceremony, not at start (docs/operations.md "Start time"). */
const load = () => import('@simplewebauthn/server');
let library: ReturnType<typeof load> | undefined;
const webauthn = () => (library ??= load());

/** A challenge works this long (the ceremony's timeout, too). */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** ES256 and RS256: what every platform authenticator and security key offers. */
const SUPPORTED_ALGORITHMS = [-7, -257];
/** A response is a few hundred bytes (a few KiB with an attestation certificate chain). */
const MAX_RESPONSE_CHARS = 64 * 1024;
export const PASSKEY_NAME_MAX = 100;
/** Enough for every device a person owns; bounds the rows and the exclude and allow lists. */
export const PASSKEYS_PER_USER_MAX = 20;
const DEFAULT_PASSKEY_NAME = 'Passkey';

/** Why a ceremony was refused, and what to keep of it whatever the caller's transaction does. */
interface Refusal {
  error: AppError;
  /** The challenge it presented (consumed: it never works again). */
  challenge: string | null;
  audit?: Omit<AuditEntry, 'client'>;
}

type Assessed<T> = { ok: T } | { refused: Refusal };

/** The user handle passkeys carry: the user's UUID as its 16 bytes (no personal data, per WebAuthn). */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'));
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Parses a client's WebAuthn JSON without trusting it: bounded size, an object with the fields
 * the ceremony needs as strings; BAD_USER_INPUT otherwise. Returns the challenge the client
 * signed (from clientDataJSON), which finds the server's record of it.
 */
export function parseCeremonyResponse<
  T extends RegistrationResponseJSON | AuthenticationResponseJSON,
>(json: string, field: string, needs: readonly string[]): { response: T; challenge: string } {
  const malformed = (why: string) =>
    badInput({ [field]: `Not a WebAuthn credential response (${why}).` });
  if (json.length > MAX_RESPONSE_CHARS) throw malformed('too large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw malformed('invalid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw malformed('not an object');
  const candidate = parsed as { id?: unknown; rawId?: unknown; type?: unknown; response?: unknown };
  if (typeof candidate.id !== 'string' || typeof candidate.rawId !== 'string')
    throw malformed('no credential id');
  if (candidate.type !== 'public-key') throw malformed('not a public-key credential');
  const inner = candidate.response as Record<string, unknown> | null | undefined;
  if (!inner || typeof inner !== 'object') throw malformed('no response');
  for (const name of ['clientDataJSON', ...needs])
    if (typeof inner[name] !== 'string') throw malformed(`no ${name}`);
  let clientData: unknown;
  try {
    clientData = JSON.parse(
      Buffer.from(inner.clientDataJSON as string, 'base64url').toString('utf8'),
    );
  } catch {
    throw malformed('clientDataJSON is not base64url JSON');
  }
  const challenge = (clientData as { challenge?: unknown } | null)?.challenge;
  if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 512)
    throw malformed('clientDataJSON has no challenge');
  return { response: parsed as T, challenge };
}

/**
 * Passkeys (WebAuthn, docs/security.md "Sign-in security"): registration, and assertions for a
 * passwordless sign-in, the second step of one, and step-up. Challenges are stored server-side,
 * single use, five minutes; the signature counter is checked.
 */
export class PasskeyService implements PasskeyVerifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: WebAuthnSettings,
    private readonly lifecycle: FactorLifecycle,
    private readonly relay: OutboxRelay,
    private readonly logger: Logger,
  ) {}

  /** The user's passkeys, for allow and exclude lists. */
  private passkeysOf(manager: EntityManager, userId: string): Promise<MfaFactorEntity[]> {
    return manager.find(MfaFactorEntity, {
      where: { userId, kind: 'PASSKEY', confirmedAt: Not(IsNull()) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  private async storeChallenge(
    challenge: string,
    purpose: WebAuthnPurpose,
    userId: string | null,
    mfaTokenHash: string | null,
  ): Promise<void> {
    const now = new Date();
    await this.dataSource.getRepository(WebAuthnChallengeEntity).insert({
      challenge,
      purpose,
      userId,
      mfaTokenHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
      usedAt: null,
    });
  }

  /** Creation options for navigator.credentials.create (JSON); the challenge is stored for `register`. */
  async registrationOptions(user: UserEntity): Promise<string> {
    const existing = await this.passkeysOf(this.dataSource.manager, user.id);
    assertRoomForPasskey(existing.length);
    const options = await (
      await webauthn()
    ).generateRegistrationOptions({
      rpName: this.settings.rpName,
      rpID: this.settings.rpId,
      userName: user.email,
      userID: userHandle(user.id),
      userDisplayName: user.displayName ?? user.email,
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      // The same authenticator twice would be one factor counted as two.
      excludeCredentials: existing.map((factor) => ({
        id: factor.credentialId!,
        transports: factor.transports ?? undefined,
      })),
      // Discoverable, so the passkey can sign in without an email first (passkeyLogin).
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    await this.storeChallenge(options.challenge, 'REGISTER', user.id, null);
    return JSON.stringify(options);
  }

  /**
   * Verifies the authenticator's registration response and stores the passkey as a confirmed
   * factor; the factor lifecycle then turns MFA on (and issues recovery codes for a first factor).
   * The challenge is consumed whatever the outcome: the refusal's transaction commits it.
   */
  async register(
    userId: string,
    responseJson: string,
    nameInput: string | null | undefined,
    client: ClientInfo,
  ): Promise<FactorConfirmationModel> {
    const name = checkedName(nameInput ?? DEFAULT_PASSKEY_NAME);
    const { response, challenge } = parseCeremonyResponse<RegistrationResponseJSON>(
      responseJson,
      'response',
      ['attestationObject'],
    );
    const outcome = await this.dataSource
      .transaction(async (manager): Promise<Assessed<FactorConfirmationModel>> => {
        const refuse = async (error: AppError): Promise<Assessed<FactorConfirmationModel>> => {
          await this.keepRefusal(manager, { error, challenge }, client);
          return { refused: { error, challenge } };
        };
        const row = await this.consumeChallenge(manager, challenge);
        if (!row || !isLive(row, 'REGISTER') || row.userId !== userId)
          return refuse(invalidToken('This passkey registration expired or was already used.'));
        let verification;
        try {
          verification = await (
            await webauthn()
          ).verifyRegistrationResponse({
            response,
            expectedChallenge: challenge,
            expectedOrigin: this.settings.origins(),
            expectedRPID: this.settings.rpId,
            requireUserVerification: false,
            supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
          });
        } catch (error) {
          this.logger.info({ err: error, userId }, 'passkey registration refused');
          return refuse(
            new AppError('INVALID_CREDENTIALS', { message: 'The passkey could not be verified.' }),
          );
        }
        if (!verification.verified)
          return refuse(
            new AppError('INVALID_CREDENTIALS', { message: 'The passkey could not be verified.' }),
          );
        const info = verification.registrationInfo;
        const user = await manager.findOneBy(UserEntity, { id: userId });
        if (!user) return refuse(notFound('User'));
        assertRoomForPasskey((await this.passkeysOf(manager, userId)).length);
        const now = new Date();
        const factor = manager.create(MfaFactorEntity, {
          id: randomUUID(),
          userId,
          kind: 'PASSKEY',
          name,
          createdAt: now,
          confirmedAt: now,
          lastUsedAt: null,
          totpSecret: null,
          totpLastStep: null,
          credentialId: info.credential.id,
          publicKey: Buffer.from(info.credential.publicKey),
          signCount: info.credential.counter,
          transports: info.credential.transports ?? null,
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
        });
        await manager.insert(MfaFactorEntity, factor);
        const recoveryCodes = await this.lifecycle.factorConfirmed(manager, user, factor, client);
        return { ok: { userId, factor, recoveryCodes } };
      })
      .catch((error: unknown) => {
        // Another account (or this one) holds this credential: excludeCredentials normally prevents it.
        if (isUniqueViolation(error)) throw conflict('This passkey is already registered.');
        throw error;
      });
    this.relay.kick();
    if ('refused' in outcome) throw outcome.refused.error;
    return outcome.ok;
  }

  /** Renames one of the user's passkeys; another user's (or a TOTP factor) is NOT_FOUND. */
  async rename(userId: string, factorId: string, nameInput: string): Promise<MfaFactorEntity> {
    const name = checkedName(nameInput);
    const repository = this.dataSource.getRepository(MfaFactorEntity);
    const factor = isUuid(factorId)
      ? await repository.findOneBy({ id: factorId, userId, kind: 'PASSKEY' })
      : null;
    if (!factor) throw notFound('Passkey');
    await repository.update({ id: factor.id }, { name });
    return { ...factor, name };
  }

  async authenticationOptions(
    purpose: PasskeyAssertionCheck['purpose'],
    userId: string | null,
    mfaTokenHash?: string,
  ): Promise<string> {
    const passkeys = userId ? await this.passkeysOf(this.dataSource.manager, userId) : [];
    const options = await (
      await webauthn()
    ).generateAuthenticationOptions({
      rpID: this.settings.rpId,
      // Empty for a passwordless sign-in: the browser offers the discoverable passkeys it has.
      allowCredentials: passkeys.map((factor) => ({
        id: factor.credentialId!,
        transports: factor.transports ?? undefined,
      })),
      // A passkey alone must be two factors (possession and the PIN or biometric).
      userVerification: purpose === 'LOGIN' ? 'required' : 'preferred',
      timeout: CHALLENGE_TTL_MS,
    });
    await this.storeChallenge(options.challenge, purpose, userId, mfaTokenHash ?? null);
    return JSON.stringify(options);
  }

  /**
   * The port for callers whose transaction rolls back when this throws: the refusal (consumed
   * challenge, audit entry) is kept by a transaction of its own, which waits for the caller's.
   */
  async verifyAssertion(
    manager: EntityManager,
    check: PasskeyAssertionCheck,
  ): Promise<VerifiedPasskey> {
    const client = check.client ?? { ip: null, userAgent: null };
    const outcome = await this.assessAssertion(manager, check);
    if ('ok' in outcome) return outcome.ok;
    // Not awaited: it needs the challenge's row, which the caller's transaction holds until it ends.
    void this.dataSource
      .transaction((own) => this.keepRefusal(own, outcome.refused, client))
      .then(() => this.relay.kick())
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'recording a refused passkey assertion failed'),
      );
    throw outcome.refused.error;
  }

  /**
   * Passwordless sign-in: the assertion in one transaction that also keeps a refusal (the
   * challenge consumed, the audit entry) before the caller sees the error. `start` opens the
   * session in the same transaction.
   */
  async signIn<T>(
    responseJson: string,
    client: ClientInfo,
    start: (manager: EntityManager, user: UserEntity, passkey: VerifiedPasskey) => Promise<T>,
  ): Promise<T> {
    const check: PasskeyAssertionCheck = {
      purpose: 'LOGIN',
      response: responseJson,
      userId: null,
      client,
    };
    const outcome = await this.dataSource.transaction(async (manager): Promise<Assessed<T>> => {
      const assessed = await this.assessAssertion(manager, check);
      if ('refused' in assessed) {
        await this.keepRefusal(manager, assessed.refused, client);
        return assessed;
      }
      const user = await manager.findOneBy(UserEntity, { id: assessed.ok.userId });
      if (!user)
        return { refused: { error: new AppError('INVALID_CREDENTIALS'), challenge: null } };
      return { ok: await start(manager, user, assessed.ok) };
    });
    this.relay.kick();
    if ('refused' in outcome) throw outcome.refused.error;
    return outcome.ok;
  }

  /** Expired challenges go (used ones are kept until they expire: they prove nothing after). */
  async prune(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM ${schemaOf(this.dataSource)}.webauthn_challenges WHERE expires_at < $1`,
      [new Date()],
    );
  }

  /**
   * Checks an assertion in `manager`'s transaction. Parsing errors throw (nothing was consumed);
   * every later refusal is returned with the challenge it consumed.
   */
  private async assessAssertion(
    manager: EntityManager,
    check: PasskeyAssertionCheck,
  ): Promise<Assessed<VerifiedPasskey>> {
    const { response, challenge } = parseCeremonyResponse<AuthenticationResponseJSON>(
      check.response,
      check.purpose === 'LOGIN' ? 'response' : 'passkeyResponse',
      ['authenticatorData', 'signature'],
    );
    const refused = (error: AppError, audit?: Refusal['audit']): Assessed<VerifiedPasskey> => ({
      refused: { error, challenge, audit },
    });
    const row = await this.consumeChallenge(manager, challenge);
    if (
      !row ||
      !isLive(row, check.purpose) ||
      (row.userId ?? null) !== check.userId ||
      (row.mfaTokenHash ?? null) !== (check.mfaTokenHash ?? null)
    )
      return refused(invalidToken('This passkey challenge expired or was already used.'));
    const factor = await manager.findOneBy(MfaFactorEntity, {
      credentialId: response.id,
      kind: 'PASSKEY',
    });
    if (!factor?.confirmedAt || (check.userId !== null && factor.userId !== check.userId))
      return refused(new AppError('INVALID_CREDENTIALS'));
    // A discoverable credential names its user: it must be the one the credential was made for.
    if (
      response.response.userHandle &&
      response.response.userHandle !== base64url(userHandle(factor.userId))
    )
      return refused(new AppError('INVALID_CREDENTIALS'));
    // A passwordless sign-in's failure is the user's login_failed; the second step and step-up
    // record their own (the sign-in state machine knows which attempt it was).
    const failed = () =>
      refused(
        new AppError('INVALID_CREDENTIALS'),
        check.purpose === 'LOGIN'
          ? {
              actorId: factor.userId,
              action: 'user.login_failed',
              targetType: 'user',
              targetId: factor.userId,
              metadata: { method: 'passkey', factorId: factor.id },
            }
          : undefined,
      );
    let verification;
    try {
      verification = await (
        await webauthn()
      ).verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.settings.origins(),
        expectedRPID: this.settings.rpId,
        // Counter 0 turns the library's own counter check off: it runs before the signature is
        // checked, so a forged response could pass for a cloned authenticator. Ours runs after.
        credential: {
          id: factor.credentialId!,
          publicKey: new Uint8Array(factor.publicKey!),
          counter: 0,
          transports: factor.transports ?? undefined,
        },
        requireUserVerification: check.purpose === 'LOGIN',
      });
    } catch (error) {
      this.logger.info({ err: error, factorId: factor.id }, 'passkey assertion refused');
      return failed();
    }
    if (!verification.verified) return failed();
    const { newCounter, credentialDeviceType, credentialBackedUp, userVerified } =
      verification.authenticationInfo;
    const stored = factor.signCount ?? 0;
    // Authenticators that keep no counter send 0 every time; one that counts must count up. A
    // signed counter at or below the stored one means a second copy of the key is in use.
    if ((newCounter > 0 || stored > 0) && newCounter <= stored) {
      this.logger.warn(
        { factorId: factor.id, userId: factor.userId, newCounter, stored },
        'passkey signature counter went backwards: the authenticator may be cloned',
      );
      return refused(
        new AppError('INVALID_CREDENTIALS', {
          message: "This passkey's signature counter went backwards; it was refused.",
        }),
        {
          actorId: factor.userId,
          action: 'mfa.passkey_counter_regressed',
          targetType: 'user',
          targetId: factor.userId,
          metadata: { factorId: factor.id, newCounter, storedCounter: stored },
        },
      );
    }
    await manager.update(
      MfaFactorEntity,
      { id: factor.id },
      { signCount: newCounter, lastUsedAt: new Date(), backedUp: credentialBackedUp },
    );
    return {
      ok: {
        userId: factor.userId,
        factorId: factor.id,
        method: credentialDeviceType === 'multiDevice' ? 'swk' : 'hwk',
        userVerified,
      },
    };
  }

  /**
   * Marks the challenge used and returns its row, or null when it is unknown or was used: the
   * conditional update makes two requests racing with one challenge see one winner.
   */
  private async consumeChallenge(
    manager: EntityManager,
    challenge: string,
  ): Promise<WebAuthnChallengeEntity | null> {
    const result = await manager
      .createQueryBuilder()
      .update(WebAuthnChallengeEntity)
      .set({ usedAt: new Date() })
      .where('challenge = :challenge AND used_at IS NULL', { challenge })
      .returning('*')
      .execute();
    const raw = (result.raw as Record<string, unknown>[])[0];
    if (!raw) return null;
    return {
      challenge: raw.challenge as string,
      purpose: raw.purpose as WebAuthnPurpose,
      userId: (raw.user_id as string | null) ?? null,
      mfaTokenHash: (raw.mfa_token_hash as string | null) ?? null,
      createdAt: new Date(raw.created_at as string),
      expiresAt: new Date(raw.expires_at as string),
      usedAt: new Date(raw.used_at as string),
    };
  }

  /** What a refusal leaves behind in `manager`'s transaction: the challenge used up, the audit entry. */
  private async keepRefusal(
    manager: EntityManager,
    refusal: Refusal,
    client: ClientInfo,
  ): Promise<void> {
    if (refusal.challenge)
      await manager
        .createQueryBuilder()
        .update(WebAuthnChallengeEntity)
        .set({ usedAt: new Date() })
        .where('challenge = :challenge AND used_at IS NULL', { challenge: refusal.challenge })
        .execute();
    if (refusal.audit) await recordAudit(manager, { ...refusal.audit, client });
  }
}

function isLive(row: WebAuthnChallengeEntity, purpose: WebAuthnPurpose): boolean {
  return row.purpose === purpose && row.expiresAt.getTime() > Date.now();
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function assertRoomForPasskey(registered: number): void {
  if (registered >= PASSKEYS_PER_USER_MAX)
    throw conflict(
      `An account holds at most ${PASSKEYS_PER_USER_MAX} passkeys; remove one before adding another.`,
    );
}

function checkedName(input: string): string {
  const name = input.trim();
  if (name.length < 1 || name.length > PASSKEY_NAME_MAX)
    throw badInput({ name: `Use 1 to ${PASSKEY_NAME_MAX} characters.` });
  return name;
}
