# shellcheck shell=bash
# Sourced by the deploy scripts that run from the repository's deploy/scripts
# (deploy.sh, backup.sh, restore.sh, pgbackrest-backup.sh, restore-drill.sh,
# secrets-archive.sh, certbot-deploy-hook.sh): what they all start with.
# Not by bootstrap.sh, which runs on a fresh host, often copied there alone
# before the repository is cloned, and so keeps its own log, die and run;
# nor by container-state.sh, which bootstrap installs alone as
# /usr/local/bin/agora-container-state.
#
# The sourcing script sets `me` (its name in log lines) before sourcing, and
# dry_run (1 for --dry-run; switches sets it) before it calls run. Sourcing sets script_dir
# (this folder) and deploy_dir (deploy/).
: "${me:?the sourcing script sets me}"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deploy_dir="$(dirname "$script_dir")"

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$me" "$*" >&2; }
die() { log "$*"; exit 1; }

# run prints the command; it executes it unless --dry-run.
run() {
    printf '+ %s\n' "$*"
    [[ ${dry_run:?the sourcing script sets dry_run} -eq 1 ]] || "$@"
}

compose() { run docker compose "$@"; }

# compose_env sets what docker compose reads, as deploy.sh documents it:
# COMPOSE_FILE (colon-separated; deploy/compose.yaml) and ENV_FILE
# (deploy/.env) unless set, and COMPOSE_ENV_FILES to ENV_FILE when that is
# readable and nothing set COMPOSE_ENV_FILES.
compose_env() {
    export COMPOSE_FILE="${COMPOSE_FILE:-$deploy_dir/compose.yaml}"
    ENV_FILE="${ENV_FILE:-$deploy_dir/.env}"
    if [[ -r $ENV_FILE && -z ${COMPOSE_ENV_FILES:-} ]]; then
        export COMPOSE_ENV_FILES="$ENV_FILE"
    fi
}

# compose_settings PATTERN is compose_env then read_settings PATTERN: how
# the scripts that drive the Compose project and write metrics begin.
compose_settings() {
    compose_env
    read_settings "$1"
}

# read_settings [PATTERN] reads ENV_FILE's TEXTFILE_DIR and the names
# PATTERN matches (read_env_file); TEXTFILE_DIR then defaults to
# node_exporter's textfile collector folder.
read_settings() {
    read_env_file "$ENV_FILE" "TEXTFILE_DIR${1:+|$1}"
    TEXTFILE_DIR="${TEXTFILE_DIR:-/var/lib/node_exporter/textfile_collector}"
}

# read_env_file FILE PATTERN exports the lines of FILE (deploy/.env) whose
# names match the extended regular expression PATTERN, unless already set in
# the environment (cron passes nothing else). The file is not run as shell
# code; one pair of quotes around a value is dropped, as Compose does.
read_env_file() {
    local file="$1" pattern="$2" line name value
    [[ -r $file ]] || return 0
    while IFS= read -r line || [[ -n $line ]]; do
        [[ $line =~ ^($pattern)=(.*)$ ]] || continue
        name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
        if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then
            value="${BASH_REMATCH[1]}"
        fi
        [[ -n ${!name+x} ]] || export "$name=$value"
    done <"$file"
}

# switches NAMES ARG... reads the command line of a script that takes only
# on/off options: dry_run is 1 with --dry-run, else 0; for each NAME in the
# space-separated NAMES, --NAME sets the variable NAME with dashes as
# underscores (which the script sets to 0 first) to 1. -h or --help prints
# the script's header comment (the lines after the shebang up to the first
# line of code) and exits 0; any other ARG exits 2 with "unknown argument".
switches() {
    local names=" dry-run $1 " name arg
    shift
    dry_run=0
    for arg in "$@"; do
        name="${arg#--}"
        if [[ $arg == --* && $name =~ ^[a-z-]+$ && $names == *" $name "* ]]; then
            printf -v "${name//-/_}" 1
        elif [[ $arg == -h || $arg == --help ]]; then
            sed -n '2,/^[^#]/{/^#/p}' "$0"
            exit 0
        else
            echo "$me: unknown argument: $arg" >&2
            exit 2
        fi
    done
}
