#!/usr/bin/env bash
# Runs a single-node Ceph RGW (the S3 server of Ceph) on loopback with an in-memory object store,
# for the live-layer tests and the demo.
#
#   rgw.sh start DIR    install the Debian packages if missing, start mon + osd + rgw with their
#                       state in DIR, create an S3 user; prints S3PO_ENDPOINT=..., AWS_ACCESS_KEY_ID=...,
#                       AWS_SECRET_ACCESS_KEY=... lines (also written to DIR/env)
#   rgw.sh stop DIR     stop the daemons started in DIR and remove DIR
set -euo pipefail

command=${1:?usage: rgw.sh start|stop DIR}
dir=${2:?usage: rgw.sh start|stop DIR}

log() { echo "rgw: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop() {
  for pidfile in "$dir"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
  done
  for pidfile in "$dir"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}

install_packages() {
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null \
    && command -v radosgw-admin >/dev/null && command -v openssl >/dev/null; then
    return
  fi
  log "installing Ceph from Debian's packages (about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # openssl: the live tests make a certificate for the HTTPS front they put before the RGW.
  apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd radosgw ceph-common openssl >&2
}

wait_for() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "timed out after ${seconds}s waiting for $what"
  tail -n 30 "$dir"/log/*.log >&2 || true
  return 1
}

start() {
  install_packages
  rm -rf "$dir"
  mkdir -p "$dir"/{mon,osd,rgw,run,log}
  local fsid mon_port rgw_port osd_uuid conf access_key secret_key
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  access_key=${RGW_ACCESS_KEY:-s3po-test-access-key}
  secret_key=${RGW_SECRET_KEY:-s3po-test-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}
  conf="$dir/ceph.conf"
  cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg num = 8
mon max pg per osd = 1000
osd crush chooseleaf type = 0
osd objectstore = memstore
# 8 GiB of memory: the tests write a 1 GiB object among others, and a full OSD stalls every write.
memstore device bytes = 8589934592
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
[mon.a]
mon data = $dir/mon
[osd.0]
osd data = $dir/osd
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
# Virtual-host addressing (bucket.localhost) beside path style, which other host names keep.
rgw dns name = localhost
# Free a deleted object's data within seconds, not hours, so that tests that delete what they wrote
# do not fill the memory store.
rgw gc obj min wait = 0
rgw gc processor period = 5
# Customer keys (SSE-C) over plain HTTP: the server refuses them otherwise (400 InvalidRequest),
# and the tests speak HTTP to it.
rgw crypt require ssl = false
CONF
  log "starting mon on port $mon_port"
  monmaptool --create --addv a "[v1:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-mon --mkfs -i a -c "$conf" --monmap "$dir/monmap"
  ceph-mon -i a -c "$conf"
  wait_for "the monitor" 60 ceph -c "$conf" --connect-timeout 2 mon stat
  log "starting osd"
  ceph -c "$conf" osd create "$osd_uuid" >/dev/null
  ceph-osd -i 0 -c "$conf" --mkfs --osd-uuid "$osd_uuid" 2>/dev/null
  # On a busy machine the OSD can ask the monitor for its place before it has the cluster's map: the
  # request carries a zero fsid, the monitor refuses it ("wrong fsid") and the OSD exits. Again works.
  local attempt
  for attempt in 1 2 3 4 5; do
    if ceph-osd -i 0 -c "$conf"; then break; fi
    [ "$attempt" -lt 5 ] || return 1
    log "the osd exited while starting; starting it again"
    sleep 1
  done
  wait_for "the osd" 90 bash -c "ceph -c '$conf' osd stat | grep -q '1 up'"
  log "starting rgw on port $rgw_port"
  radosgw -c "$conf" -n client.rgw
  wait_for "rgw to answer HTTP" 120 curl -sf -o /dev/null "http://127.0.0.1:$rgw_port/"
  radosgw-admin -c "$conf" user create --uid=s3po --display-name=s3po \
    --access-key="$access_key" --secret="$secret_key" >/dev/null
  {
    echo "S3PO_ENDPOINT=http://127.0.0.1:$rgw_port"
    echo "AWS_ACCESS_KEY_ID=$access_key"
    echo "AWS_SECRET_ACCESS_KEY=$secret_key"
    echo "AWS_REGION=us-east-1"
  } | tee "$dir/env"
  log "ready at http://127.0.0.1:$rgw_port"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: rgw.sh start|stop DIR" >&2; exit 2 ;;
esac
