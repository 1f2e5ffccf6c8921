#!/bin/sh
# One database and one role per service: no service can read another's tables.
set -eu
for service in gateway intake pathways matching; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
       -v role="ponte_${service}" -v password="$PONTE_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
