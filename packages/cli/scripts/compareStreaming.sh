#!/usr/bin/env bash
# Runs aws-cli and s3po side by side on one S3 server for what issue 30 items 6 and 7 added:
# sync between two prefixes (lines, what a second run does, a newer source, --delete with
# --exclude, --dryrun) and streaming (cp - s3://..., cp s3://... -, cat, | head). Not part of the
# test suite (which must not need aws): the CLI's tests assert what this found.
#
#   source /tmp/s3po-test-env.sh     # or S3PO_ENDPOINT and AWS_* for any server
#   bash packages/cli/scripts/compareStreaming.sh
#
# Needs aws-cli (AWS_CLI=/path/to/aws to choose one) and the bundle (node scripts/build.mjs).
# Buckets are named s3po-cmps-<pid>-*, removed at the end. Exits 1 when a comparison differs
# where it should not (a broken pipe's exit code differs on purpose: aws exits 1, s3po 0).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
aws_cli=${AWS_CLI:-aws}
endpoint=${S3PO_ENDPOINT:-${S3PO_TEST_ENDPOINT:-}}
[ -n "$endpoint" ] || { echo "compareStreaming: set S3PO_ENDPOINT (or source the test env)" >&2; exit 2; }
export S3PO_ENDPOINT=$endpoint
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-${S3PO_TEST_ACCESS_KEY_ID:-}}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-${S3PO_TEST_SECRET_ACCESS_KEY:-}}
export AWS_REGION=${AWS_REGION:-${S3PO_TEST_REGION:-us-east-1}}
export AWS_DEFAULT_REGION=$AWS_REGION AWS_PAGER="" AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
"$aws_cli" --version >/dev/null 2>&1 || { echo "compareStreaming: no aws ($aws_cli)" >&2; exit 2; }
(cd "$here" && node scripts/build.mjs) || exit 2
run=s3po-cmps-$$
work=$(mktemp -d)
cp -r "$here/dist" "$work/bundle"

aws() { "$aws_cli" --endpoint-url "$endpoint" "$@"; }
s3po() { node "$work/bundle/s3po.js" "$@"; }
passed=0
failed=0

cleanup() {
  for bucket in "$run-src" "$run-aws" "$run-s3po"; do s3po rb "s3://$bucket" --force >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT

report() { # name, what aws gave, what s3po gave
  if [ "$2" == "$3" ]; then
    passed=$((passed + 1))
    echo "same     $1"
  else
    failed=$((failed + 1))
    echo "DIFFERS  $1"
    diff <(echo "$2") <(echo "$3") | sed 's/^/         /'
  fi
}

# The sync lines of each into its own bucket, buckets named alike, sorted (copies run at once),
# s3po's summary line left out; with the exit code.
compare_sync() { # name, then the arguments after `sync`, {B} for the destination bucket
  local name=$1
  shift
  local aws_args=() s3po_args=() arg
  for arg in "$@"; do
    aws_args+=("${arg//\{B\}/$run-aws}")
    s3po_args+=("${arg//\{B\}/$run-s3po}")
  done
  local aws_out s3po_out aws_code s3po_code
  aws_out=$(aws s3 sync --no-progress "${aws_args[@]}" 2>&1)
  aws_code=$?
  s3po_out=$(s3po sync "${s3po_args[@]}" 2>&1)
  s3po_code=$?
  normalize() { sed -e "s/$run-aws/DEST/g; s/$run-s3po/DEST/g" | grep -v 'copied (' | grep -v '^$' | sort; }
  report "$name" "$aws_code $(echo "$aws_out" | normalize)" "$s3po_code $(echo "$s3po_out" | normalize)"
}

head -c $((20 * 1024 * 1024 + 17)) /dev/urandom >"$work/big.bin"
for bucket in "$run-src" "$run-aws" "$run-s3po"; do s3po mb "s3://$bucket" >/dev/null || exit 2; done
s3po cp "$work/big.bin" "s3://$run-src/p/big.bin" >/dev/null
echo alpha | s3po cp - "s3://$run-src/p/a.txt"
echo beta | s3po cp - "s3://$run-src/p/sub/b.txt"
echo log | s3po cp - "s3://$run-src/p/sub/c.log"
for bucket in "$run-aws" "$run-s3po"; do
  echo extra | s3po cp - "s3://$bucket/q/extra.txt"
  echo kept | s3po cp - "s3://$bucket/q/keep.log"
done

echo "== sync s3://a/p s3://b/q"
compare_sync "--dryrun --delete" --dryrun --delete "s3://$run-src/p" "s3://{B}/q"
compare_sync "first run" "s3://$run-src/p" "s3://{B}/q"
compare_sync "second run: nothing" "s3://$run-src/p" "s3://{B}/q"
sleep 1.2
echo ALPHA | s3po cp - "s3://$run-src/p/a.txt"
compare_sync "a newer source of the same size" "s3://$run-src/p" "s3://{B}/q"
sleep 1.2
for bucket in "$run-aws" "$run-s3po"; do echo BETA | s3po cp - "s3://$bucket/q/sub/b.txt"; done
compare_sync "a newer destination of the same size: kept" "s3://$run-src/p" "s3://{B}/q"
compare_sync "--delete --exclude '*.log'" --delete --exclude "*.log" "s3://$run-src/p" "s3://{B}/q"
compare_sync "overlapping prefixes (exit code)" "s3://$run-src/p" "s3://$run-src/p/sub"
report "the destinations hold the same keys" \
  "$(aws s3 ls --recursive "s3://$run-aws/" | awk '{ print $3, $4 }')" \
  "$(s3po ls --recursive "s3://$run-s3po/" | awk '{ print $3, $4 }')"

echo "== streaming"
expected=$(md5sum <"$work/big.bin" | cut -d' ' -f1)
report "cp s3://... - writes the object" "$(aws s3 cp "s3://$run-src/p/big.bin" - | md5sum | cut -d' ' -f1)" \
  "$(s3po cp "s3://$run-src/p/big.bin" - | md5sum | cut -d' ' -f1)"
report "cat writes the object" "$expected" "$(s3po cat "s3://$run-src/p/big.bin" | md5sum | cut -d' ' -f1)"
aws s3 cp - "s3://$run-aws/up.bin" <"$work/big.bin"
aws_code=$?
s3po cp - "s3://$run-s3po/up.bin" <"$work/big.bin"
s3po_code=$?
report "cp - s3://... uploads stdin (exit code, stdout empty)" "$aws_code" "$s3po_code"
report "what cp - uploaded reads back" "$(aws s3 cp "s3://$run-aws/up.bin" - | md5sum | cut -d' ' -f1)" \
  "$(s3po cat "s3://$run-s3po/up.bin" | md5sum | cut -d' ' -f1)"
aws s3 cp "s3://$run-src/p/big.bin" - 2>/dev/null | head -c 10 >/dev/null
aws_code=${PIPESTATUS[0]}
s3po cat "s3://$run-src/p/big.bin" 2>/dev/null | head -c 10 >/dev/null
s3po_code=${PIPESTATUS[0]}
echo "note     | head -c 10: aws exits $aws_code, s3po $s3po_code (s3po ends quietly with 0 on purpose)"
[ "$s3po_code" -eq 0 ] || { failed=$((failed + 1)); echo "DIFFERS  s3po | head should exit 0"; }

echo
echo "$passed same, $failed differ"
[ "$failed" -eq 0 ]
