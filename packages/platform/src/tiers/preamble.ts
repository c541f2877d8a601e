/**
 * The tier preamble every subgraph's schema.graphql starts with, byte for byte (a test checks it).
 * `level` is the tier; `scopes` are the service scopes an INTERNAL field needs, or, on an
 * AUTHENTICATED or VERIFIED field, the scopes that let a service read it too; `owner` names the parent property that holds the
 * owning user's id, so only that user (or such a service) passes; `stepUp` (seconds) asks a user
 * for a sign-in at most that old, multi-factor when the user has a second factor; `capability`
 * (API_KEY_CAPABILITIES) lets a personal API key holding it reach the field (no other key does).
 */
export const TIER_PREAMBLE = `enum Tier @inaccessible {
  PUBLIC
  AUTHENTICATED
  VERIFIED
  INTERNAL
}

directive @tier(level: Tier!, scopes: [String!], owner: String, stepUp: Int, capability: String) on FIELD_DEFINITION | OBJECT`;
