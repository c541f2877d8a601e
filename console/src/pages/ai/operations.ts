import { graphql } from '../../generated';

/** The AI playground's operations (docs/api.md "Operations", "Streaming a generation"); the generation itself is POST /ai/stream. */

export const AiCatalog = graphql(`
  query AiCatalog {
    aiModels {
      id
      displayName
      description
      creditsPerRequest
      creditsPer1kInputTokens
      creditsPer1kOutputTokens
      maxOutputTokens
    }
    aiPromptTemplates {
      id
      displayName
      variables {
        name
        maxLength
      }
    }
  }
`);

export const AiGenerations = graphql(`
  query AiGenerations {
    me {
      id
      generations(first: 5) {
        edges {
          node {
            id
            model
            template
            creditsCharged
            inputTokens
            outputTokens
            createdAt
          }
        }
      }
    }
  }
`);
