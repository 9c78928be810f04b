#!/usr/bin/env bash
# Copies observability/prometheus/rules/*.yml into the chart (files/rules),
# because Helm reads only files inside the chart. Run after changing a rule;
# deploy/helm's tests fail while the copy differs from the source.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../../observability/prometheus/rules"
dst="$here/agora/files/rules"
mkdir -p "$dst"
rm -f "$dst"/*.yml
cp "$src"/*.yml "$dst"/
echo "copied $(ls "$dst" | wc -l) rule files to ${dst#"$here/"}"
