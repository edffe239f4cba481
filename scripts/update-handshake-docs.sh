#!/bin/sh
# Rewrites the handshake table in webhook-verify/src/receive/mod.rs from the code
# (`Handshake::markdown_table`), using the text the docs test prints when it is stale.
set -eu
cd "$(dirname "$0")/.."
out=$(cargo test -q -p webhook-verify --lib module_docs_table_is_current 2>&1 || true)
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
m = re.search(r"(//! <!-- handshakes:start -->\n.*?//! <!-- handshakes:end -->\n)", out, re.S)
if not m:
    print("the table is current")
    sys.exit(0)
path = "webhook-verify/src/receive/mod.rs"
s = open(path).read()
s = re.sub(r"//! <!-- handshakes:start -->\n.*?//! <!-- handshakes:end -->\n", lambda _: m.group(1), s, flags=re.S)
open(path, "w").write(s)
print("updated", path)
PY
