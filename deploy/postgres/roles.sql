-- One PostgreSQL role per service schema (docs/operations.md "Database roles"). Each role logs in, owns its
-- own schema and nothing else: no rights on the other services' schemas, none on `public`, and
-- no CREATE on the database, so a compromised service reads and writes its own tables only.
--
-- Run once by a superuser in the application database. docker-compose.yml mounts it into the
-- postgres container's /docker-entrypoint-initdb.d, and the passwords come from the compose
-- secrets. By hand: psql -v <name>_password=... for each subgraph [-v role_prefix=bastion_]
--   -d bastion -f deploy/postgres/roles.sql
-- The subgraphs come from subgraphs/registry.json: `npm run registry:sync` rewrites the lines
-- between the `registry:sync` markers.
\set ON_ERROR_STOP on
\if :{?role_prefix}
\else
  \set role_prefix bastion_
\endif
-- >>> registry:sync passwords
\if :{?auth_password}
\else
  \set auth_password `cat /run/secrets/auth_db_password`
\endif
\if :{?orgs_password}
\else
  \set orgs_password `cat /run/secrets/orgs_db_password`
\endif
\if :{?credits_password}
\else
  \set credits_password `cat /run/secrets/credits_db_password`
\endif
\if :{?ai_password}
\else
  \set ai_password `cat /run/secrets/ai_db_password`
\endif
\if :{?webhooks_password}
\else
  \set webhooks_password `cat /run/secrets/webhooks_db_password`
\endif
-- <<< registry:sync passwords

-- Nobody but the owner connects or makes temporary tables by default; `public` holds nothing of ours.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- gen_random_uuid() for the services' uuid keys; created here because only a superuser may.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', :'role_prefix' || service, password),
       format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'role_prefix' || service),
       -- The schema is the service's own: it creates and migrates its tables there.
       format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', service, :'role_prefix' || service),
       format('ALTER ROLE %I SET search_path = %I', :'role_prefix' || service, service)
FROM (VALUES
  -- >>> registry:sync roles
  ('auth', :'auth_password'),
  ('orgs', :'orgs_password'),
  ('credits', :'credits_password'),
  ('ai', :'ai_password'),
  ('webhooks', :'webhooks_password')
  -- <<< registry:sync roles
  ) AS services (service, password)
\gexec

-- Orgs runs each transaction as this member-only role so its row-level security policies apply
-- (an owner would bypass them); its migration needs no CREATEROLE when the role exists already.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bastion_orgs_app') THEN
    CREATE ROLE bastion_orgs_app NOLOGIN NOBYPASSRLS;
  END IF;
END $$;
SELECT format('GRANT bastion_orgs_app TO %I', :'role_prefix' || 'orgs') \gexec
