import { graphql } from '../../generated';

/** The organization pages' operations (public API only; docs/api.md "Operations"). */

export const MyOrganizations = graphql(`
  query MyOrganizations {
    myOrganizations(first: 100) {
      id
      name
      slug
      myRole
    }
  }
`);

export const CreateOrganization = graphql(`
  mutation CreateOrganization($name: String!) {
    createOrganization(name: $name) {
      id
      name
      slug
      myRole
    }
  }
`);

export const SwitchOrganization = graphql(`
  mutation SwitchOrganization($organizationId: ID) {
    switchOrganization(organizationId: $organizationId) {
      ...SessionFields
    }
  }
`);

export const OrganizationOverview = graphql(`
  query OrganizationOverview($id: ID!) {
    me {
      id
    }
    organization(id: $id) {
      id
      name
      slug
      myRole
      requireMfa
      createdAt
    }
  }
`);

export const OrganizationMembers = graphql(`
  query OrganizationMembers($id: ID!) {
    organization(id: $id) {
      id
      members(first: 100) {
        role
        joinedAt
        user {
          id
        }
      }
    }
  }
`);

export const OrganizationMembersMfa = graphql(`
  query OrganizationMembersMfa($id: ID!) {
    organization(id: $id) {
      id
      members(first: 100) {
        mfaEnabled
        user {
          id
        }
      }
    }
  }
`);

export const OrganizationInvitations = graphql(`
  query OrganizationInvitations($id: ID!) {
    organization(id: $id) {
      id
      invitations(first: 100) {
        id
        email
        role
        expiresAt
        createdAt
      }
    }
  }
`);

export const RenameOrganization = graphql(`
  mutation RenameOrganization($id: ID!, $name: String!) {
    updateOrganization(id: $id, name: $name) {
      id
      name
      slug
    }
  }
`);

export const InviteMember = graphql(`
  mutation InviteMember($organizationId: ID!, $email: String!, $role: Role!) {
    inviteMember(organizationId: $organizationId, email: $email, role: $role) {
      id
      email
      role
      expiresAt
    }
  }
`);

export const RevokeInvitation = graphql(`
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(id: $id)
  }
`);

export const AcceptInvitation = graphql(`
  mutation AcceptInvitation($token: String!) {
    acceptInvitation(token: $token) {
      role
      organization {
        id
        name
      }
    }
  }
`);

export const ChangeMemberRole = graphql(`
  mutation ChangeMemberRole($organizationId: ID!, $userId: ID!, $role: Role!) {
    changeMemberRole(organizationId: $organizationId, userId: $userId, role: $role) {
      role
      user {
        id
      }
    }
  }
`);

export const RemoveMember = graphql(`
  mutation RemoveMember($organizationId: ID!, $userId: ID!) {
    removeMember(organizationId: $organizationId, userId: $userId)
  }
`);

export const SetRequireMfa = graphql(`
  mutation SetRequireMfa($organizationId: ID!, $required: Boolean!) {
    setOrganizationRequireMfa(organizationId: $organizationId, required: $required) {
      id
      requireMfa
    }
  }
`);

export const DeleteOrganization = graphql(`
  mutation DeleteOrganization($id: ID!) {
    deleteOrganization(id: $id)
  }
`);
