import { graphql } from '../../generated';

/** The credits page's operations (docs/api.md "Operations"). */

export const CreditsOverview = graphql(`
  query CreditsOverview($after: String) {
    me {
      id
      credits {
        balance
        available
        holds {
          id
          amount
          expiresAt
          createdAt
        }
        transactions(first: 20, after: $after) {
          edges {
            node {
              id
              type
              amount
              balanceAfter
              description
              createdAt
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
    creditPackages {
      id
      name
      credits
      priceCents
      currency
    }
  }
`);

export const CreditBalance = graphql(`
  query CreditBalance {
    me {
      id
      credits {
        balance
        available
        holds {
          id
          amount
          expiresAt
          createdAt
        }
      }
    }
  }
`);

export const CreateCheckout = graphql(`
  mutation CreateCheckout($packageId: ID!, $successUrl: String!, $cancelUrl: String!) {
    createCheckoutSession(packageId: $packageId, successUrl: $successUrl, cancelUrl: $cancelUrl) {
      id
      url
    }
  }
`);
