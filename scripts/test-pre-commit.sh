#!/usr/bin/env bash
# Tries this repository's pre-commit hooks for real: a scratch repository holding the
# SSE-KMS example passes both hooks, and fails `iam-eval-test` once a case expects the
# wrong decision. Needs Python 3 (pre-commit is installed into a virtual environment).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pre-commit
mkdir -p "$work/scratch/policies"
cp "$repo"/policies/sse-kms/{bucket-policy.json,uploader-identity.json,sse-kms.test.json} "$work/scratch/policies/"
cd "$work/scratch"
git init --quiet
git add -A
git -c user.email=ci@example.invalid -c user.name=ci commit --quiet -m scratch
try() { "$work/venv/bin/pre-commit" try-repo "$repo" "$@" --all-files; }
try iam-eval-test
try iam-eval-check
sed -i 's/"expect": "allow"/"expect": "implicit_deny"/' policies/sse-kms.test.json
if try iam-eval-test >"$work/out" 2>&1; then
  cat "$work/out"
  echo "the hook passed a test file that expects a wrong decision" >&2
  exit 1
fi
grep -q "passed, .* failed" "$work/out"
echo "pre-commit hooks: ok"
