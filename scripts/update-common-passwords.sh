#!/usr/bin/env bash
# Regenerates the banned-password list shipped with Kastell from the MIT-licensed npm package
# @zxcvbn-ts/language-common (see THIRD-PARTY-NOTICES.md). Run by a developer, never at run time.
set -euo pipefail
version="${1:-4.1.3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@zxcvbn-ts/language-common@${version}" >/dev/null && tar xzf ./*.tgz)
node -e 'const l=require(process.argv[1]); process.stdout.write(l.map(p=>String(p).toLowerCase()).join("\n")+"\n")' \
  "$work/package/src/passwords.json" | gzip -9n > "$root/src/Kastell.Server/Features/Accounts/Passwords/common-passwords.txt.gz"
echo "wrote $(zcat "$root/src/Kastell.Server/Features/Accounts/Passwords/common-passwords.txt.gz" | wc -l) passwords"
