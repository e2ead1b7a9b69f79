#!/usr/bin/env bash
# Fan-out (1 publisher -> N subscribers) and fan-in (N publishers -> 1 subscriber), QoS 0 and 1, against
# Mosquitto (.ci/install-mosquitto) and the emulator (broker --auth none), each driven by the bench with
# --client thingflux, hivemq and netty-codec; prints one line per run from the steady stage:
# received/s, e2e p50/p99, lost, duplicates, and the bench process's CPU per message (sent + received),
# all and in user mode (on loopback the kernel's TCP work for both ends lands largely on the sender).
# Usage: perf/scripts/bench-fan.sh [mosquitto|emulator|both] (env: N=1000 FANOUT_RATE=100 FANIN_RATE=10 HOLD=5s)
# Build first: mvn -o -B -q -pl perf -am -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/../.."
jar=perf/target/thingflux.jar
which=${1:-both}
N=${N:-1000}; FANOUT_RATE=${FANOUT_RATE:-100}; FANIN_RATE=${FANIN_RATE:-10}; HOLD=${HOLD:-5s}
CLIENTS=${CLIENTS:-"thingflux hivemq netty-codec"}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n 20000 2>/dev/null || true

scenario() { # kind qos file
  if [ "$1" = fanout ]; then cat > "$3" <<Y
name: fanout-qos$2
groups:
  - {name: subs, kind: sub, count: $N, clientId: "fo-sub-%i", filters: ["fo/t"], qos: $2}
  - {name: pub, kind: pub, count: 1, clientId: "fo-pub-%i", topic: fo/t, qos: $2, rate: $FANOUT_RATE, inflight: 1024, payload: {fixed: 64}}
stages:
  - {name: subscribe, type: ramp, group: subs, rate: 2000}
  - {name: publish, type: ramp, group: pub, rate: 10}
  - {name: steady, type: hold, duration: $HOLD}
Y
  else cat > "$3" <<Y
name: fanin-qos$2
groups:
  - {name: sub, kind: sub, count: 1, clientId: "fi-sub-%i", filters: ["fi/#"], qos: $2}
  - {name: pubs, kind: pub, count: $N, clientId: "fi-pub-%i", topic: "fi/%i", qos: $2, rate: $FANIN_RATE, payload: {fixed: 64}}
stages:
  - {name: subscribe, type: ramp, group: sub, rate: 10}
  - {name: publish, type: ramp, group: pubs, rate: 2000}
  - {name: steady, type: hold, duration: $HOLD}
Y
  fi
}

wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not open" >&2; exit 1; }

run_against() { # name port
  for kind in fanout fanin; do for qos in 0 1; do for client in $CLIENTS; do
    scenario "$kind" "$qos" "$work/s.yaml"
    java -Xmx1g -jar "$jar" bench --scenario "$work/s.yaml" --host 127.0.0.1 --port "$2" --client "$client" \
      --json "$work/r.json" > "$work/out.txt" 2> "$work/err.txt" || { echo "$1 $kind q$qos $client FAILED"; tail -3 "$work/err.txt"; continue; }
    python3 - "$1" "$kind" "$qos" "$client" "$work/r.json" <<'P'
import json, sys
broker, kind, qos, client, f = sys.argv[1:]
r = json.load(open(f)); s = [x for x in r["stages"] if x["name"] == "steady"][0]
msgs = s["sent"] + sum(s["receivedByQos"])
print(f"| {broker} | {kind} | {qos} | {client} | {s['receivedPerSecond']:.0f} | {s['e2eLatencyMs']['p50']:.1f} / {s['e2eLatencyMs']['p99']:.1f} "
      f"| {sum(s['lostByQos'])} / {sum(s['duplicatesByQos'])} | {s['overruns']} | {s['cpuNanos'] / 1e3 / max(1, msgs):.1f} / {s['cpuUserNanos'] / 1e3 / max(1, msgs):.1f} |")
P
  done; done; done
}

echo "| broker | load | QoS | client | received/s | e2e p50 / p99 ms | lost / dup | overruns | bench CPU µs/msg all / user |"
echo "|---|---|---|---|---|---|---|---|---|"
if [ "$which" = mosquitto ] || [ "$which" = both ]; then
  bash .ci/install-mosquitto >/dev/null
  printf 'listener 18830 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n' > "$work/m.conf"
  LD_LIBRARY_PATH=.cache/mosquitto/usr/lib/x86_64-linux-gnu .cache/mosquitto/usr/sbin/mosquitto -c "$work/m.conf" > "$work/m.log" 2>&1 &
  pids+=($!); wait_port 18830
  run_against mosquitto 18830
  kill "${pids[-1]}"
fi
if [ "$which" = emulator ] || [ "$which" = both ]; then
  java -Xmx1g -jar "$jar" broker --auth none --port 18831 > "$work/e.log" 2>&1 &
  pids+=($!); wait_port 18831
  run_against emulator 18831
fi
