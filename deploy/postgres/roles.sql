-- Least privilege for Agora's database (README.md, "Database roles").
-- Run as the owner (the superuser the image creates, who also runs the
-- migrations and so owns every table) after each migration, by
-- agora-roles (deploy.sh, restore.sh). Idempotent.
--
--   agora_app      the backend: reads and writes the application's rows,
--                  owns nothing, cannot create, alter or drop anything.
--   agora_monitor  postgres_exporter: pg_monitor, no table access.
--   agora_backup   pgBackRest's database connection (pg1-user): starts and
--                  stops backups, switches WAL, makes restore points and
--                  checkpoints; no table access, no password (the
--                  container's unix socket only). pgBackRest reads the
--                  files as the postgres OS user, not through this role.
--
-- The passwords come from the environment (AGORA_DB_APP_PASSWORD,
-- AGORA_DB_MONITOR_PASSWORD), never from psql's command line, where every
-- user of the host could read them with ps; -v app_password=... and
-- -v monitor_password=... still work where the environment has none.
\set ON_ERROR_STOP on
\getenv app_password AGORA_DB_APP_PASSWORD
\getenv monitor_password AGORA_DB_MONITOR_PASSWORD

SELECT 'CREATE ROLE agora_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agora_app') \gexec
SELECT 'CREATE ROLE agora_monitor' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agora_monitor') \gexec
ALTER ROLE agora_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 100 PASSWORD :'app_password';
ALTER ROLE agora_monitor WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 PASSWORD :'monitor_password';
GRANT pg_monitor TO agora_monitor;
SELECT 'CREATE ROLE agora_backup' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agora_backup') \gexec
ALTER ROLE agora_backup WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 PASSWORD NULL;
-- What pgBackRest calls (PostgreSQL 15+: pg_backup_start/stop, pg_checkpoint
-- for start-fast); current_setting('data_directory') and the like need
-- pg_read_all_settings.
GRANT pg_read_all_settings, pg_checkpoint TO agora_backup;
GRANT EXECUTE ON FUNCTION pg_backup_start(text, boolean), pg_backup_stop(boolean), pg_switch_wal(),
    pg_create_restore_point(text) TO agora_backup;

-- Nobody but the owner creates objects in public (PostgreSQL 15's default,
-- made explicit for databases created before it).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- A new database lets every role connect and make temporary tables. Here
-- only the roles named below connect, to this database alone (not to
-- postgres or template1, which only the owner and pgBackRest use), and
-- nobody but the owner makes temporary tables.
SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', datname) FROM pg_database
WHERE datname IN (current_database(), 'postgres', 'template1') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO agora_app, agora_monitor, agora_backup', current_database()) \gexec
-- Every role may create large objects; the application stores none.
REVOKE EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea), lo_import(text), lo_import(text, oid) FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO agora_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO agora_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO agora_app;
-- Tables of later migrations (made by this same owner) get the same.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO agora_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO agora_app;
-- The migration history (and its id sequence) is the migrations' own.
SELECT 'REVOKE INSERT, UPDATE, DELETE ON goose_db_version FROM agora_app'
WHERE to_regclass('public.goose_db_version') IS NOT NULL \gexec
SELECT format('REVOKE ALL ON SEQUENCE %s FROM agora_app', pg_get_serial_sequence('public.goose_db_version', 'id'))
WHERE to_regclass('public.goose_db_version') IS NOT NULL
  AND pg_get_serial_sequence('public.goose_db_version', 'id') IS NOT NULL \gexec
