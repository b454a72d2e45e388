#!/usr/bin/env bash
# Runs aws-cli (v2) and s3po with the same upload, dry-run, compare and output flags against one S3
# server and compares what they store (read back with `aws s3api head-object`), print and exit with:
# content types guessed per extension, --content-type, --no-guess-mime-type, --cache-control,
# --content-disposition, --content-encoding, --metadata (k=v and JSON), --storage-class, --dryrun on
# cp/mv/rm, sync --size-only / --exact-timestamps, --quiet / --only-show-errors, --endpoint-url,
# presign --expires-in, --acl (as an unsigned GET sees each object), filters on a copy of one file,
# --flag=value, a bare --exclude before a glob that starts with -, no summary after a sync, ls
# --human-readable --summarize. Not part of the test suite (test/unit/flags.test.ts and
# parity.test.ts, test/live/parity.test.ts assert what this found).
#
#   source /tmp/s3po-test-env.sh     # or S3PO_ENDPOINT and AWS_* for any server
#   bash packages/cli/scripts/compareFlags.sh [--keep]
#
# Needs aws-cli v2 (AWS_CLI=/path/to/aws to choose one) and the bundle (node scripts/build.mjs).
# Buckets are named s3po-flags-<pid>-*, removed at the end unless --keep. Exits 1 when any differs.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
aws_cli=${AWS_CLI:-/usr/bin/aws}
endpoint=${S3PO_ENDPOINT:-${S3PO_TEST_ENDPOINT:-}}
[ -n "$endpoint" ] || { echo "compareFlags: set S3PO_ENDPOINT (or source the test env)" >&2; exit 2; }
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-${S3PO_TEST_ACCESS_KEY_ID:-}}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-${S3PO_TEST_SECRET_ACCESS_KEY:-}}
export AWS_REGION=${AWS_REGION:-${S3PO_TEST_REGION:-us-east-1}}
export AWS_DEFAULT_REGION=$AWS_REGION AWS_PAGER="" AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
unset S3PO_ENDPOINT
"$aws_cli" --version >/dev/null 2>&1 || { echo "compareFlags: no aws at $aws_cli" >&2; exit 2; }
(cd "$here" && node scripts/build.mjs) || exit 2
run=s3po-flags-$$
work=$(mktemp -d)
cp -r "$here/dist" "$work/bundle"

aws() { timeout 120 "$aws_cli" --endpoint-url "$endpoint" "$@"; }
# --endpoint-url, aws's name, on every s3po command: the comparison checks the flag itself.
s3po() { timeout 120 node "$work/bundle/s3po.js" "$@" --endpoint-url "$endpoint"; }
passed=0
failed=0

cleanup() {
  if [ "${1:-}" != "--keep" ]; then
    for bucket in "$run-aws" "$run-s3po"; do aws s3 rb "s3://$bucket" --force >/dev/null 2>&1; done
    rm -rf "$work"
  else
    echo "kept: $work and the buckets $run-*"
  fi
}
trap 'cleanup "${1:-}"' EXIT

report() { # name, what aws gave, what s3po gave
  if [ "$2" == "$3" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'DIFFERS: %s\n  aws:  %s\n  s3po: %s\n' "$1" "$2" "$3"
  fi
}

# What an object was stored with, as one line.
# A key with no Content-Type sent is stored as the server's default (RGW: binary/octet-stream);
# s3po sends application/octet-stream: both are shown as octet-stream.
stored() { # bucket, key
  aws s3api head-object --bucket "$1" --key "$2" --output json 2>/dev/null |
    sed 's#"\(binary\|application\)/octet-stream"#"octet-stream"#' |
    python3 -c 'import json, sys
text = sys.stdin.read()
if not text: print("missing"); sys.exit()
info = json.loads(text)
print(json.dumps({name: info.get(name) for name in
  ["ContentType", "CacheControl", "ContentDisposition", "ContentEncoding", "Metadata", "StorageClass"]}, sort_keys=True))'
}

# Exit codes by kind: aws-cli v2 gives 252 to usage errors, s3po 2.
kind() {
  case "$1:$2" in
    *:0) echo ok ;;
    aws:252 | s3po:2) echo usage ;;
    *) echo "failure($2)" ;;
  esac
}

site=$work/site
mkdir -p "$site"
for name in index.html main.css app.js data.json logo.svg logo.png notes.txt module.wasm README \
  data.unknownext archive.gz bundle.tar.gz config.yaml app.js.map UPPER.HTML; do
  printf '%s\n' "$name" > "$site/$name"
done
aws s3 mb "s3://$run-aws" >/dev/null || exit 2
s3po mb "s3://$run-s3po" >/dev/null || exit 2

# Content types guessed, each file copied alone and synced.
for name in $(ls "$site"); do
  aws s3 cp "$site/$name" "s3://$run-aws/cp/$name" --only-show-errors
  s3po cp "$site/$name" "s3://$run-s3po/cp/$name" --only-show-errors
done
aws s3 sync "$site" "s3://$run-aws/sync/" --only-show-errors
s3po sync "$site" "s3://$run-s3po/sync/" --only-show-errors
for prefix in cp sync; do
  for name in $(ls "$site"); do
    report "content type of $prefix $name" "$(stored "$run-aws" "$prefix/$name")" "$(stored "$run-s3po" "$prefix/$name")"
  done
done

# The attribute flags, on cp, cp --recursive, mv and sync.
# STANDARD: Ceph RGW has no other storage class unless configured (aws and s3po both fail on STANDARD_IA).
attributes=(--content-type text/x-given --cache-control max-age=60 --content-disposition attachment
  --content-encoding gzip --storage-class STANDARD)
for tool in aws s3po; do
  bucket=$run-$tool
  cmd=$tool
  [ "$tool" == "aws" ] && cmd="aws s3"
  cp "$site/notes.txt" "$work/$tool-move.txt"
  $cmd cp "$site/notes.txt" "s3://$bucket/attrs/cp.txt" "${attributes[@]}" --metadata team=web,stage=prod >/dev/null
  $cmd cp "$site" "s3://$bucket/attrs/tree/" --recursive --metadata '{"team":"web"}' --no-guess-mime-type >/dev/null
  $cmd mv "$work/$tool-move.txt" "s3://$bucket/attrs/mv.txt" --cache-control no-cache >/dev/null
  $cmd sync "$site" "s3://$bucket/attrs/sync/" "${attributes[@]}" --metadata team=web >/dev/null
done
for key in attrs/cp.txt attrs/tree/index.html attrs/tree/README attrs/mv.txt attrs/sync/index.html; do
  report "attributes of $key" "$(stored "$run-aws" "$key")" "$(stored "$run-s3po" "$key")"
done

# --dryrun: the lines (local paths as typed), and nothing done.
cd "$work" || exit 2
for args in "cp site/notes.txt s3://BUCKET/dry/notes.txt" "mv site/notes.txt s3://BUCKET/dry/notes.txt" \
  "cp site s3://BUCKET/dry/ --recursive --exclude * --include n*" "rm s3://BUCKET/cp/notes.txt" \
  "rm s3://BUCKET/cp/ --recursive --exclude * --include *.css"; do
  # shellcheck disable=SC2086
  aws_lines=$(set -f; aws s3 ${args//BUCKET/$run-aws} --dryrun 2>&1 | sed "s/$run-aws/BUCKET/g")
  # shellcheck disable=SC2086
  s3po_lines=$(set -f; s3po ${args//BUCKET/$run-s3po} --dryrun 2>&1 | sed "s/$run-s3po/BUCKET/g")
  report "--dryrun $args" "$aws_lines" "$s3po_lines"
done
report "--dryrun left the file" "yes" "$([ -f site/notes.txt ] && echo yes)"
report "--dryrun left the object" "$(aws s3 ls "s3://$run-aws/cp/notes.txt" | wc -l)" \
  "$(aws s3 ls "s3://$run-s3po/cp/notes.txt" | wc -l)"

# sync --size-only, --exact-timestamps: what a dry run would transfer after the times change.
for tool in aws s3po; do
  cmd=$tool
  [ "$tool" == "aws" ] && cmd="aws s3"
  $cmd sync "s3://$run-$tool/sync/" "$work/down-$tool" --only-show-errors
done
touch -d "1 hour ago" "$site/notes.txt" "$work/down-aws/notes.txt" "$work/down-s3po/notes.txt"
touch -d "1 hour" "$site/index.html"
for flags in "" "--size-only" "--exact-timestamps"; do
  # shellcheck disable=SC2086
  report "sync up --dryrun $flags" "$(aws s3 sync site "s3://$run-aws/sync/" --dryrun $flags | sed "s/$run-aws/B/" | sort)" \
    "$(s3po sync site "s3://$run-s3po/sync/" --dryrun $flags | sed "s/$run-s3po/B/" | sort)"
  # shellcheck disable=SC2086
  report "sync down --dryrun $flags" \
    "$(aws s3 sync "s3://$run-aws/sync/" down-aws --dryrun $flags | sed "s/$run-aws/B/;s/down-aws/D/" | sort)" \
    "$(s3po sync "s3://$run-s3po/sync/" down-s3po --dryrun $flags | sed "s/$run-s3po/B/;s/down-s3po/D/" | sort)"
done

# What is printed with --quiet and --only-show-errors, and how each exits.
for flag in --quiet --only-show-errors --no-progress; do
  report "cp $flag: lines" "$(aws s3 cp site/README "s3://$run-aws/q/README" $flag | wc -l)" \
    "$(s3po cp site/README "s3://$run-s3po/q/README" $flag | wc -l)"
done
aws s3 sync site "s3://$run-aws/q/s/" --size-only --exact-timestamps --dryrun >/dev/null 2>&1
aws_code=$?
s3po sync site "s3://$run-s3po/q/s/" --size-only --exact-timestamps --dryrun >/dev/null 2>&1
s3po_code=$?
report "sync --size-only --exact-timestamps: exit kind (aws takes both; s3po refuses)" "$(kind aws $aws_code)" \
  "$(kind s3po $s3po_code)"
aws s3 cp site/README "s3://$run-aws/q/m" --metadata novalue >/dev/null 2>&1
aws_code=$?
s3po cp site/README "s3://$run-s3po/q/m" --metadata novalue >/dev/null 2>&1
s3po_code=$?
report "--metadata novalue: exit kind" "$(kind aws $aws_code)" "$(kind s3po $s3po_code)"

# --acl: what an unsigned GET of each object is answered (public-read 200, private and none 403).
anonymous() { curl -s -o /dev/null -w '%{http_code}' "$endpoint/$1/$2"; }
for tool in aws s3po; do
  cmd=$tool
  [ "$tool" == "aws" ] && cmd="aws s3"
  $cmd cp site/notes.txt "s3://$run-$tool/acl/public.txt" --acl public-read >/dev/null
  $cmd cp site/notes.txt "s3://$run-$tool/acl/private.txt" --acl=private >/dev/null
  $cmd cp site/notes.txt "s3://$run-$tool/acl/none.txt" >/dev/null
  $cmd cp "s3://$run-$tool/acl/none.txt" "s3://$run-$tool/acl/copied.txt" --acl public-read >/dev/null
  $cmd cp "s3://$run-$tool/acl/public.txt" "s3://$run-$tool/acl/copied-without.txt" >/dev/null
  $cmd sync site "s3://$run-$tool/acl/sync/" --acl public-read >/dev/null
done
for key in public.txt private.txt none.txt copied.txt copied-without.txt sync/index.html; do
  report "--acl: unsigned GET of acl/$key" "$(anonymous "$run-aws" "acl/$key")" "$(anonymous "$run-s3po" "acl/$key")"
done

# Filters on a copy of one file, and --flag=value: lines and exit codes.
for args in "cp site/notes.txt s3://BUCKET/one/ --exclude *" "cp site/notes.txt s3://BUCKET/one/ --exclude=* --include=notes.txt" \
  "cp site/notes.txt s3://BUCKET/one/ --exclude=-x" "mv site/README s3://BUCKET/one/ --exclude *.txt --exclude R*"; do
  # shellcheck disable=SC2086
  aws_lines=$(set -f; aws s3 ${args//BUCKET/$run-aws} --no-progress 2>&1; echo "exit $(kind aws $?)")
  # shellcheck disable=SC2086
  s3po_lines=$(set -f; s3po ${args//BUCKET/$run-s3po} --no-progress 2>&1; echo "exit $(kind s3po $?)")
  report "$args" "${aws_lines//$run-aws/BUCKET}" "${s3po_lines//$run-s3po/BUCKET}"
done
aws s3 cp site/notes.txt "s3://$run-aws/one/" --exclude -x >/dev/null 2>&1
aws_code=$?
s3po cp site/notes.txt "s3://$run-s3po/one/" --exclude -x >/dev/null 2>&1
s3po_code=$?
report "--exclude -x (a glob that reads as a flag): exit kind" "$(kind aws $aws_code)" "$(kind s3po $s3po_code)"

# ls --human-readable --summarize of the same objects (times left out), and of an empty prefix.
times() { sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}/TIME/'; }
for flags in "--human-readable --summarize" "--summarize --recursive" "--human-readable --recursive"; do
  # shellcheck disable=SC2086
  report "ls $flags" "$(aws s3 ls "s3://$run-aws/attrs/tree/" $flags | times)" \
    "$(s3po ls "s3://$run-s3po/attrs/tree/" $flags | sed "s/$run-s3po/$run-aws/" | times)"
done
report "ls --summarize of nothing, and its exit code" "$(aws s3 ls "s3://$run-aws/none/" --summarize; echo "exit $?")" \
  "$(s3po ls "s3://$run-s3po/none/" --summarize; echo "exit $?")"

# presign --expires-in: the URL's lifetime.
expires() { sed -n 's/.*[?&]X-Amz-Expires=\([0-9]*\).*/\1/p'; }
report "presign --expires-in 60" "$(aws s3 presign "s3://$run-aws/cp/README" --expires-in 60 | expires)" \
  "$(s3po presign "s3://$run-s3po/cp/README" --expires-in 60 | expires)"

echo "compareFlags: $passed same, $failed differ"
[ "$failed" -eq 0 ]
