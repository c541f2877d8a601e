import { graphql } from '../../generated';

/** The webhook pages' operations (docs/api.md "Webhooks"). */

export const WebhookEndpoints = graphql(`
  query WebhookEndpoints($organizationId: ID!) {
    organization(id: $organizationId) {
      id
      name
      webhookEndpoints {
        id
        url
        description
        enabled
        disabledReason
        eventTypes
        createdAt
      }
    }
    webhookEventTypes {
      name
      description
    }
  }
`);

export const WebhookEndpointDetail = graphql(`
  query WebhookEndpointDetail($id: ID!, $status: WebhookDeliveryStatus, $after: String) {
    webhookEndpoint(id: $id) {
      id
      url
      description
      enabled
      disabledReason
      eventTypes
      createdAt
      deliveries(first: 20, after: $after, status: $status) {
        edges {
          node {
            id
            eventId
            eventType
            status
            nextAttemptAt
            createdAt
            attempts {
              at
              responseStatus
              durationMs
              error
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
    webhookEventTypes {
      name
      description
    }
  }
`);

export const CreateWebhookEndpoint = graphql(`
  mutation CreateWebhookEndpoint($organizationId: ID!, $input: WebhookEndpointInput!) {
    createWebhookEndpoint(organizationId: $organizationId, input: $input) {
      secret
      endpoint {
        id
        url
      }
    }
  }
`);

export const UpdateWebhookEndpoint = graphql(`
  mutation UpdateWebhookEndpoint($id: ID!, $input: WebhookEndpointInput!) {
    updateWebhookEndpoint(id: $id, input: $input) {
      id
      url
      description
      enabled
      disabledReason
      eventTypes
    }
  }
`);

export const DeleteWebhookEndpoint = graphql(`
  mutation DeleteWebhookEndpoint($id: ID!) {
    deleteWebhookEndpoint(id: $id)
  }
`);

export const RotateWebhookSecret = graphql(`
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id)
  }
`);

export const SendTestWebhook = graphql(`
  mutation SendTestWebhook($id: ID!) {
    sendTestWebhook(id: $id) {
      id
      status
    }
  }
`);

export const ReplayWebhookDelivery = graphql(`
  mutation ReplayWebhookDelivery($id: ID!) {
    replayWebhookDelivery(id: $id) {
      id
      status
    }
  }
`);
