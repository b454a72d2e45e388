#!/usr/bin/env bash
# Runs aws-cli and s3po with the same --include/--exclude flags on the same files, against one S3
# server, and compares what each one took: sync up, sync down, sync up --delete (which extra objects
# go), cp --recursive up, down and S3 to S3, mv --recursive up (what moved, what stayed) and rm
# --recursive (what is left). The flags probe aws's rule (in the order typed, the last match decides)
# and its globs (matched against the path below the folder or prefix; * and ? match / too; sets with
# ! and ranges; a ] first in a set is a member). Not part of the test suite (which must not need
# aws): the tests assert what this found.
#
#   source /tmp/s3po-test-env.sh     # or S3PO_ENDPOINT and AWS_* for any server
#   bash packages/cli/scripts/compareFilters.sh [--keep]
#
# Needs aws-cli (v1 or v2; AWS_CLI=/path/to/aws to choose one) and the bundle (node scripts/build.mjs).
# The bucket it makes is named s3po-filters-<pid>, removed at the end unless --keep. Exits 1 when any
# comparison differs.
set -uo pipefail
set -f # the flags hold globs: the shell must not expand them

here=$(cd "$(dirname "$0")/.." && pwd)
aws_cli=${AWS_CLI:-$(command -v aws)}
endpoint=${S3PO_ENDPOINT:-${S3PO_TEST_ENDPOINT:-}}
[ -n "$endpoint" ] || { echo "compareFilters: set S3PO_ENDPOINT (or source the test env)" >&2; exit 2; }
export S3PO_ENDPOINT=$endpoint
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-${S3PO_TEST_ACCESS_KEY_ID:-}}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-${S3PO_TEST_SECRET_ACCESS_KEY:-}}
export AWS_REGION=${AWS_REGION:-${S3PO_TEST_REGION:-us-east-1}}
export AWS_DEFAULT_REGION=$AWS_REGION AWS_PAGER="" AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
"$aws_cli" --version >/dev/null 2>&1 || { echo "compareFilters: no aws at $aws_cli" >&2; exit 2; }
(cd "$here" && node scripts/build.mjs) || exit 2

aws() { "$aws_cli" --endpoint-url "$endpoint" "$@"; }
s3po() { node "$here/bin/s3po.js" "$@"; }

bucket=s3po-filters-$$
work=$(mktemp -d)
passed=0
failed=0

cleanup() {
  if [ "${1:-}" != "--keep" ]; then
    # s3po's rb: aws-cli 2.9's fails on RGW ("argument of type 'NoneType' is not iterable").
    s3po rb "s3://$bucket" --force >/dev/null 2>&1
    rm -rf "$work"
  fi
}
trap 'cleanup "${1:-}"' EXIT

# Names that tell the globs apart: folders, dot files, glob characters in names, a space, unicode.
tree=(a.txt b.log c.jpg sub/c.txt sub/d.log sub/deep/e.txt other/f.txt .hidden "x y.txt" "é.txt"
  "[ab].txt" "]x" "q?.txt")
extras=(stale.txt stale.log sub/stale.log)

write_tree() { # dir, paths...
  local dir=$1
  shift
  for relative in "$@"; do
    mkdir -p "$(dirname "$dir/$relative")"
    printf '%s\n' "$relative" >"$dir/$relative"
  done
}

keys() { # prefix: the keys below it, relative, one a line, in byte order
  aws s3api list-objects-v2 --bucket "$bucket" --prefix "$1" --query 'Contents[].Key' --output text |
    tr '\t' '\n' | grep -v '^None$' | sed "s|^$1||" | LC_ALL=C sort
}

files() { # dir: the files below it, relative, one a line, in byte order
  [ -d "$1" ] || return 0
  (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
}

report() { # name, what aws took, what s3po took (a line each): the same ones show how many lines
  if [ "$2" == "$3" ]; then
    passed=$((passed + 1))
    printf 'same     %-4s %s\n' "$(printf '%s' "$2" | grep -c .)" "$1"
  else
    failed=$((failed + 1))
    echo "DIFFERS  $1"
    diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^</    aws: /; s/^>/    s3po:/' | grep -v '^---\|^[0-9]'
  fi
}

# The flags, one case a line: what each probes is said beside it.
cases=(
  '--include *.txt --exclude *'               # the issue's: the later exclude wins, nothing
  '--exclude * --include *.txt'               # the issue's: only .txt, in folders too (* matches /)
  '--include sub/* --exclude *.log'           # the issue's: sub/d.log is left out
  '--exclude * --include c.txt'               # the glob is anchored at the folder: not sub/c.txt
  '--exclude * --include sub?c.txt'           # ? matches /
  '--exclude * --include [ab].*'              # a set
  '--exclude * --include [!ab].*'             # a negated set
  '--exclude * --include []]*'                # ] first in a set is a member
  '--exclude * --include q?.txt'              # ? matches a ? in a name
  '--exclude * --include [[]ab].txt'          # a [ in a name, through a set
  '--exclude [a-c]*'                          # a range
  '--exclude sub/* --include sub/deep/*'      # a deeper include takes back part of an exclude
  '--exclude *.txt --include sub/* --exclude sub/deep/*'
  '--exclude */*'                             # files of the top folder only
  '--exclude sub'                             # a folder's name alone matches none of its files
  '--exclude * --include .*'                  # * has no rule for dot files: .* takes .hidden
  '--exclude * --include é*'                  # unicode
  '--exclude *.log --include *'               # a later include takes everything back
)

write_tree "$work/tree" "${tree[@]}"
aws s3 mb "s3://$bucket" >/dev/null || exit 2
aws s3 cp "$work/tree" "s3://$bucket/seed/" --recursive --only-show-errors || exit 2

modes=("sync up" "sync down" "sync up --delete" "cp up" "cp down" "cp s3 to s3" "mv up" "rm left")

# One case, one tool: each command into its own prefix or folder (the listing is made after).
run_case() { # tool, index, flags...
  local tool=$1 index=$2
  shift 2
  local at=$tool/$index
  run() { if [ "$tool" == aws ]; then aws s3 "$@" --only-show-errors; else s3po "$@" >/dev/null; fi; }
  run sync "$work/tree" "s3://$bucket/$at/sync-up" "$@"
  run sync "s3://$bucket/seed" "$work/$at/sync-down" "$@"
  run sync "$work/tree" "s3://$bucket/$at/sync-delete" --delete "$@"
  run cp "$work/tree" "s3://$bucket/$at/cp-up/" --recursive "$@"
  run cp "s3://$bucket/seed/" "$work/$at/cp-down" --recursive "$@"
  run cp "s3://$bucket/seed/" "s3://$bucket/$at/cp-s3/" --recursive "$@"
  run mv "$work/$at/mv" "s3://$bucket/$at/mv-up/" --recursive "$@"
  run rm "s3://$bucket/$at/rm/" --recursive "$@"
}

# What one tool took in one mode: keys from the case's listing (in `listing`), or local files.
below() { printf '%s\n' "$listing" | grep "^$1/" | sed "s|^$1/||"; }
took() { # tool, index, mode
  local at=$1/$2
  case $3 in
    "sync up") below "$at/sync-up" ;;
    "sync down") files "$work/$at/sync-down" ;;
    "sync up --delete") below "$at/sync-delete" ;;
    "cp up") below "$at/cp-up" ;;
    "cp down") files "$work/$at/cp-down" ;;
    "cp s3 to s3") below "$at/cp-s3" ;;
    "mv up") echo "moved: $(below "$at/mv-up" | tr '\n' ' ')" && echo "stayed: $(files "$work/$at/mv" | tr '\n' ' ')" ;;
    "rm left") below "$at/rm" ;;
  esac
}

for index in "${!cases[@]}"; do
  read -r -a flags <<<"${cases[$index]}"
  # The objects a sync --delete may delete and rm may delete, for both tools, in one upload.
  for tool in aws s3po; do
    write_tree "$work/seed-$index/$tool/$index/sync-delete" "${extras[@]}"
    write_tree "$work/seed-$index/$tool/$index/rm" "${tree[@]}"
    write_tree "$work/$tool/$index/mv" "${tree[@]}"
  done
  aws s3 cp "$work/seed-$index" "s3://$bucket/" --recursive --only-show-errors
  # The two tools at once: they write to prefixes and folders of their own.
  run_case aws "$index" "${flags[@]}" &
  run_case s3po "$index" "${flags[@]}"
  wait
  listing=$(keys "")
  for mode in "${modes[@]}"; do
    report "$mode  ${cases[$index]}" "$(took aws "$index" "$mode")" "$(took s3po "$index" "$mode")"
  done
done

echo "$passed same, $failed different"
[ "$failed" -eq 0 ]
