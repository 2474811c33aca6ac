# Sourced by postgres.sh and pgbouncer.sh (after they define die): PostgreSQL and PgBouncer refuse to run as root, so
# as root "${as_pg[@]}" runs a command as the OS user "postgres" (setpriv execs in place, no extra process), and
# own_data_dir gives that user a data dir of 0700. A non-root caller runs them as itself.
if ((EUID == 0)); then
  id postgres >/dev/null 2>&1 || die "OS user 'postgres' missing (install the postgresql package)"
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
else
  as_pg=()
fi

own_data_dir() { # dir: created if missing; umask 022 keeps ancestors created here traversable for that user
  umask 022
  mkdir -p "$1"
  ((EUID == 0)) && chown postgres:postgres "$1"
  chmod 700 "$1"
}
