# shellcheck shell=bash
# Sourced by the backup scripts: read_env_file FILE PATTERN exports the
# lines of FILE (deploy/.env) whose names match the extended regular
# expression PATTERN, unless already set in the environment (cron passes
# nothing else). The file is not run as shell code; one pair of quotes
# around a value is dropped, as Compose does.
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
