#!/usr/bin/env bash
# The two database roles of CSU (see csu/dbroles.py and the README's Production section).
#
#   csu_owner  owns the database, the schema and every table; runs `manage.py migrate` only.
#   csu_app    the web server, workers and beat; owns nothing, cannot create, truncate or alter
#              anything, and only reads and inserts on the append-only tables (audit trail,
#              dissemination log). Its table grants are applied by `migrate` (CSU_DB_APP_ROLE).
#
# The postgres image runs this once, on an empty data directory, as the bootstrap superuser.
# It is idempotent: a DBA may run it again by hand (for example to rotate both passwords,
# after `docker compose up -d db` has given the container the new values from .env):
#   docker compose exec db bash /docker-entrypoint-initdb.d/10-roles.sh
set -euo pipefail

: "${POSTGRES_OWNER_PASSWORD:?set POSTGRES_OWNER_PASSWORD}"
: "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD}"
DB="${POSTGRES_DB:-csu}"
OWNER="${CSU_DB_OWNER_ROLE:-csu_owner}"  # the names docker-compose.yml's DATABASE_URLs use
APP="${CSU_DB_APP_ROLE:-csu_app}"

# Names and passwords travel as psql variables (:"x" quotes an identifier, :'x' a literal),
# never spliced into the SQL text.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "$DB" \
  -v db="$DB" -v owner="$OWNER" -v app="$APP" \
  -v owner_password="$POSTGRES_OWNER_PASSWORD" -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', :'owner')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner')
\gexec
SELECT format('CREATE ROLE %I', :'app')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app')
\gexec
ALTER ROLE :"owner" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'owner_password';
ALTER ROLE :"app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'app_password';

-- The owner owns the database and its public schema, so migrations can create tables there.
ALTER DATABASE :"db" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";

-- Nobody else connects or creates: only the two roles, and only the owner creates objects.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"owner", :"app";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
SQL
echo "CSU database roles $OWNER (owner) and $APP (application) are in place."
