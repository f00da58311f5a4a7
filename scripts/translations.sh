#!/usr/bin/env bash
# Interface translations: `extract` collects the strings from casework/ and templates/ and merges
# them into each language's .po file; `compile` builds the .mo files the app reads.
# After `extract`, translate the new or fuzzy entries in casework/translations/*/LC_MESSAGES/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
CATALOG=casework/translations
LANGUAGES=(es fr ar)

case "${1:-}" in
    extract)
        "$BIN/pybabel" -q extract -F babel.cfg -k _l -k lazy_gettext \
            --sort-output --project=casework -o "$CATALOG/messages.pot" .
        for lang in "${LANGUAGES[@]}"; do
            if [[ -f "$CATALOG/$lang/LC_MESSAGES/messages.po" ]]; then
                "$BIN/pybabel" -q update --no-wrap --no-fuzzy-matching --ignore-obsolete -i "$CATALOG/messages.pot" -d "$CATALOG" -l "$lang"
            else
                "$BIN/pybabel" -q init --no-wrap -i "$CATALOG/messages.pot" -d "$CATALOG" -l "$lang"
            fi
        done
        ;;
    compile)
        "$BIN/pybabel" compile --statistics -d "$CATALOG"
        ;;
    *)
        echo "Usage: $0 extract|compile" >&2
        exit 2
        ;;
esac
