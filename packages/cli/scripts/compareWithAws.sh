#!/usr/bin/env bash
# Runs the same commands with aws-cli (v2) and with s3po against one S3 server and compares what
# they print and how they exit: the transfer lines (local paths as aws shows them), rm --recursive's
# and rb --force's delete: lines, ls (PRE lines first, page by page; local times; buckets), and the
# exit codes by kind (success, S3 or transfer failure, usage error: aws's 252 is s3po's 2).
# Not part of the test suite (which must not need aws): the CLI's tests assert what this found.
#
#   source /tmp/s3po-test-env.sh     # or S3PO_ENDPOINT and AWS_* for any server
#   bash packages/cli/scripts/compareWithAws.sh [--keep]
#
# Needs aws-cli v2 (`apt-get install awscli`; AWS_CLI=/path/to/aws to choose one) and the bundle
# (node scripts/build.mjs). Buckets it makes are named s3po-cmp-<pid>-*, removed at the end unless
# --keep. Exits 1 when any comparison differs.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
aws_cli=${AWS_CLI:-/usr/bin/aws}
endpoint=${S3PO_ENDPOINT:-${S3PO_TEST_ENDPOINT:-}}
[ -n "$endpoint" ] || { echo "compareWithAws: set S3PO_ENDPOINT (or source the test env)" >&2; exit 2; }
export S3PO_ENDPOINT=$endpoint
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-${S3PO_TEST_ACCESS_KEY_ID:-}}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-${S3PO_TEST_SECRET_ACCESS_KEY:-}}
export AWS_REGION=${AWS_REGION:-${S3PO_TEST_REGION:-us-east-1}}
export AWS_DEFAULT_REGION=$AWS_REGION AWS_PAGER="" AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
"$aws_cli" --version >/dev/null 2>&1 || { echo "compareWithAws: no aws at $aws_cli" >&2; exit 2; }
(cd "$here" && node scripts/build.mjs) || exit 2
run=s3po-cmp-$$
work=$(mktemp -d)
# A copy of the bundle: another build (pnpm s3po, a test) replaces dist/ while it runs.
cp -r "$here/dist" "$work/bundle"

aws() { "$aws_cli" --endpoint-url "$endpoint" "$@"; }
s3po() { node "$work/bundle/s3po.js" "$@"; }
passed=0
failed=0

cleanup() {
  if [ "${1:-}" != "--keep" ]; then
    # s3po's rb --force: aws's fails on an empty bucket of RGW ("argument of type 'NoneType' ...").
    for bucket in $(s3po ls 2>/dev/null | awk '{ print $3 }' | grep "^$run-"); do
      s3po rb "s3://$bucket" --force >/dev/null 2>&1
    done
    rm -rf "$work"
  else
    echo "kept: $work and the buckets $run-*"
  fi
}
trap 'cleanup "${1:-}"' EXIT

# Exit codes by kind: aws-cli v2 gives 252 to usage errors and 254/255 to failed requests.
kind() {
  case "$1:$2" in
    *:0) echo ok ;;
    aws:252 | s3po:2) echo usage ;;
    aws:1 | aws:254 | aws:255 | s3po:1) echo failure ;;
    *) echo "other($2)" ;;
  esac
}

report() { # name, what aws gave, what s3po gave
  if [ "$2" == "$3" ]; then
    passed=$((passed + 1))
    echo "same     $1: $(echo "$2" | head -1)"
  else
    failed=$((failed + 1))
    echo "DIFFERS  $1"
    diff <(echo "$2") <(echo "$3") | head -20 | sed 's/^/         /'
  fi
}

# Runs a command with both in their own copy of a directory (and bucket: {B} in the arguments, the
# directory's absolute path: {D}),
# and compares the exit code's kind and stdout, bucket names replaced, transfer lines sorted
# (both copy files at once, so the order varies) and s3po's transfer summary left out.
compare() { # name, directory, then the arguments
  local name=$1 dir=$2
  shift 2
  local aws_args=() s3po_args=() arg
  for arg in "$@"; do
    local for_aws=${arg//\{D\}/$work/aws} for_s3po=${arg//\{D\}/$work/s3po}
    aws_args+=("${for_aws//\{B\}/$run-aws}")
    s3po_args+=("${for_s3po//\{B\}/$run-s3po}")
  done
  # Progress lines would mix into aws's output where its commands print them.
  case "$1" in cp | mv | sync) aws_args+=(--no-progress) ;; esac
  local aws_out s3po_out aws_code s3po_code
  aws_out=$(cd "$work/aws/$dir" && aws s3 "${aws_args[@]}" 2>/dev/null)
  aws_code=$?
  s3po_out=$(cd "$work/s3po/$dir" && s3po "${s3po_args[@]}" 2>/dev/null)
  s3po_code=$?
  normalize() { sed -e "s/$run-aws/BUCKET/g; s/$run-s3po/BUCKET/g" | grep -v '^[0-9]* copied (' | sort; }
  report "$name" "$(kind aws $aws_code) $(echo "$aws_out" | normalize)" \
    "$(kind s3po $s3po_code) $(echo "$s3po_out" | normalize)"
}

# The same read-only command on the same bucket with both: output compared as it is, in order.
compare_exact() { # name, then the arguments
  local name=$1
  shift
  local aws_out s3po_out aws_code s3po_code
  aws_out=$(cd "$work" && aws s3 "$@" 2>/dev/null)
  aws_code=$?
  s3po_out=$(cd "$work" && s3po "$@" 2>/dev/null)
  s3po_code=$?
  report "$name" "$(kind aws $aws_code)
$aws_out" "$(kind s3po $s3po_code)
$s3po_out"
}

tree() { # a directory's files: site/a.txt, site/sub/b.txt, c.txt
  mkdir -p "$1/site/sub" "$1/elsewhere"
  echo a >"$1/site/a.txt"
  echo b >"$1/site/sub/b.txt"
  echo c >"$1/c.txt"
}
tree "$work/aws"
tree "$work/s3po"
{ aws s3 mb "s3://$run-aws" && s3po mb "s3://$run-s3po" && aws s3 mb "s3://$run-empty"; } >/dev/null ||
  { echo "compareWithAws: cannot make the buckets it compares in" >&2; exit 2; }

echo "== exit codes"
compare "unknown command" . lss
compare "unknown flag" . ls "s3://{B}" --bogus
compare "missing argument" . cp
compare "two local paths" . cp c.txt d.txt
compare "ls of an empty bucket" . ls "s3://$run-empty"
compare "ls of a prefix with nothing" . ls "s3://{B}/nothing"
compare "ls --recursive of a prefix with nothing" . ls "s3://{B}/nothing" --recursive
compare "ls of a missing bucket" . ls "s3://$run-no-such-bucket"
compare "cp of a missing key" . cp "s3://{B}/no-such-key" .
compare "rm --recursive of nothing" . rm "s3://{B}/nothing" --recursive

echo "== transfer lines"
compare "cp file" . cp c.txt "s3://{B}/"
compare "cp ./file into a folder" . cp ./c.txt "s3://{B}/x/"
compare "cp an absolute path" . cp "{D}/c.txt" "s3://{B}/y/"
compare "cp --recursive a directory" . cp site "s3://{B}/site" --recursive
compare "cp --recursive ./dir/" . cp ./site/ "s3://{B}/site2" --recursive
compare "sync up" . sync site "s3://{B}/sync"
compare "sync down" . sync "s3://{B}/sync" down
compare "sync down into ./dir/" . sync "s3://{B}/sync" ./down2/
compare "cp down to ." . cp "s3://{B}/c.txt" .
compare "cp down into ./dir/" . cp "s3://{B}/c.txt" ./dl/
compare "cp down to a file name" . cp "s3://{B}/c.txt" dl2.txt
compare "cp down outside the working directory" elsewhere cp "s3://{B}/c.txt" ../elsewhere-c.txt
compare "cp --recursive down" . cp "s3://{B}/site" ./rec --recursive
compare "cp from the folder above" site cp ../c.txt "s3://{B}/up/"
compare "mv up" . mv c.txt "s3://{B}/m/"
compare "cp S3 to S3" . cp "s3://{B}/x/c.txt" "s3://{B}/copy.txt"
compare "rm one object" . rm "s3://{B}/copy.txt"
compare "rm --recursive" . rm "s3://{B}/site" --recursive

echo "== ls (the same bucket with both; TZ=Asia/Kolkata)"
export TZ=Asia/Kolkata
compare_exact "ls a bucket: PRE lines first" ls "s3://$run-aws"
compare_exact "ls a bucket without s3://" ls "$run-aws/"
compare_exact "ls a prefix without its /" ls "s3://$run-aws/site2"
compare_exact "ls --recursive" ls "s3://$run-aws" --recursive
compare_exact "ls of a key" ls "s3://$run-aws/x/c.txt"
report "ls s3:// lists the same buckets with the same times" \
  "$(aws s3 ls s3:// | grep " $run-")" "$(s3po ls s3:// | grep " $run-")"
report "ls alone lists the buckets" "$(aws s3 ls | grep " $run-")" "$(s3po ls | grep " $run-")"
mkdir -p "$work/many/a0" "$work/many/sub0" "$work/many/zz"
echo a >"$work/many/a0/x"
for index in $(seq -w 0 1004); do echo "$index" >"$work/many/k$index"; done
echo 0 >"$work/many/sub0/x"
echo z >"$work/many/zz/y"
s3po mb "s3://$run-many" >/dev/null
s3po cp "$work/many" "s3://$run-many/many" --recursive >/dev/null
compare_exact "ls of more than a page: each page's PRE lines first" ls "s3://$run-many/many/"
unset TZ

echo "== rb --force"
compare "rb --force: a delete: line per object" . rb "s3://{B}" --force

echo
echo "$passed same, $failed differ"
[ "$failed" -eq 0 ]
