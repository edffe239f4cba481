#!/bin/sh
# Rewrites the README's provider and handshake tables from the code
# (`webhook providers --markdown`); `readme_tables_are_current` fails until they match.
set -eu
cd "$(dirname "$0")/.."
tables=$(cargo run -q -p webhook-cli -- providers --markdown)
python3 - "$tables" <<'PY'
import re, sys
tables = sys.argv[1] + "\n"
path = "README.md"
s = open(path).read()
for name in ("providers", "handshakes"):
    m = re.search(r"<!-- %s:start.*?<!-- %s:end -->\n" % (name, name), tables, re.S)
    s, n = re.subn(r"<!-- %s:start.*?<!-- %s:end -->\n" % (name, name), lambda _: m.group(0), s, flags=re.S)
    if n != 1:
        sys.exit("README.md: no %s markers" % name)
open(path, "w").write(s)
print("updated", path)
PY
