#!/usr/bin/env bash
# Prepares the local PostgreSQL for the connection tests (tests/it/connections.rs); safe to run again.
# - TLS: a certificate authority and a server certificate for `localhost` (not for 127.0.0.1,
#   so verify-full can be seen to check the name), made with openssl and installed as the
#   server's certificate; the authority's certificate is left beside it as ca.crt.
# - Passwords: a role `schema_test_password` (password `right horse`) that must give its
#   password over TCP (scram-sha-256), ahead of the trust rules.
# Needs root (or the postgres user) on the machine that runs the server. The connection tests
# run it themselves when the server lacks either (tests/it/support/test_server.rs).
# The server is TEST_DATABASE_URL's, default postgres://postgres@127.0.0.1:5432/postgres.
set -euo pipefail

psql_admin=(psql -X -q "${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -v ON_ERROR_STOP=1)
# The rules file the server reads, wherever this installation keeps it.
hba_file=$("${psql_admin[@]}" -At -c 'SHOW hba_file')
tls_dir=/var/lib/postgresql/schema-test-tls

if [ ! -s "$tls_dir/server.crt" ]; then
  command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }
  mkdir -p "$tls_dir"
  work=$(mktemp -d)
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=schema test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$work/ext"
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
    -CAcreateserial -days 3650 -extfile "$work/ext" -out "$work/server.crt" 2>/dev/null
  install -o postgres -g postgres -m 0644 "$work/ca.crt" "$tls_dir/ca.crt"
  install -o postgres -g postgres -m 0644 "$work/server.crt" "$tls_dir/server.crt"
  install -o postgres -g postgres -m 0600 "$work/server.key" "$tls_dir/server.key"
  rm -rf "$work"
fi

"${psql_admin[@]}" <<SQL
ALTER SYSTEM SET ssl = on;
ALTER SYSTEM SET ssl_cert_file = '$tls_dir/server.crt';
ALTER SYSTEM SET ssl_key_file = '$tls_dir/server.key';
SQL

marker='# schema tests: a role that must give its password'
if ! grep -qF "$marker" "$hba_file"; then
  { echo "$marker"; echo "host all schema_test_password 127.0.0.1/32 scram-sha-256"; cat "$hba_file"; } > "$hba_file.new"
  chown --reference="$hba_file" "$hba_file.new"
  chmod --reference="$hba_file" "$hba_file.new"
  mv "$hba_file.new" "$hba_file"
fi

"${psql_admin[@]}" <<'SQL'
SET password_encryption = 'scram-sha-256';
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'schema_test_password') THEN
    CREATE ROLE schema_test_password LOGIN CREATEDB;
  END IF;
END $$;
ALTER ROLE schema_test_password PASSWORD 'right horse';
SELECT pg_reload_conf();
SQL
echo "test server ready: TLS certificate for localhost (CA $tls_dir/ca.crt), role schema_test_password"
