#!/usr/bin/env bash
# Issue #8's side-by-side measurement: thingflux and the HiveMQ MQTT Client, each driving the same
# thing-model load against ONE emulator process started here, in interleaved rounds, and the bare Netty
# channel with only the codec (the floor) through the fleet load (its heap per device is the floor the
# targets name; it has no in-flight window or batching of its own, so its single-device rates are not a
# reference). Prints a table of medians; every run's --json stays in $OUT.
#
# A device's connect counts at the SUBACK of its subscriptions for every client; the fleet's posts are
# spread evenly over the interval (a steady 600 posts/s from 3,000 devices posting every 5 s). Both clients
# signal completions to the bench on their I/O thread (see HiveMqLoadClient). The one-device rates are given for
# the whole run and after the JIT has warmed up (seconds 6-15, from the per-second progress), each with the CPU
# steal of its run: on a shared host, rounds with a high steal are not comparable.
#
#   perf/scripts/side-by-side.sh            # 4 rounds, ~12 minutes on 2 cores
#   ROUNDS=1 CLIENTS="thingflux hivemq" perf/scripts/side-by-side.sh
#   BASELINE_JAR=/tmp/old/thingflux.jar perf/scripts/side-by-side.sh   # adds an older build's thingflux
#                                                                       # client as "baseline", same rounds
#
# Needs perf/target/thingflux.jar (mvn -B -DskipTests install) and python3 for the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=perf/target/thingflux.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests install
ROUNDS=${ROUNDS:-4} # even: each client goes first as often as the other
CLIENTS=${CLIENTS:-"thingflux hivemq"}
FLOOR=${FLOOR:-netty-codec}
BASELINE_JAR=${BASELINE_JAR:-}
[ -z "$BASELINE_JAR" ] || CLIENTS="$CLIENTS baseline"
PORT=${PORT:-18871}
OUT=${OUT:-$(mktemp -d /tmp/thingflux-side-by-side.XXXX)}
mkdir -p "$OUT"
PRODUCT=a1Bench,benchProductSecret

java -Xmx4g -jar "$JAR" broker --port "$PORT" --admin-port $((PORT + 1)) --product "$PRODUCT" >"$OUT/broker.log" 2>&1 &
BROKER=$!
trap 'kill $BROKER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.2
done

bench() { # name client args...
  local name=$1 client=$2; shift 2
  local jar=$JAR impl=$client
  if [ "$client" = baseline ]; then jar=$BASELINE_JAR; impl=thingflux; fi
  local run=$OUT/$name-$client-$round steal0
  steal0=$(steal)
  # the per-second progress (stderr) gives the rate after the JIT has warmed up
  java -Xmx6g -jar "$jar" bench --host 127.0.0.1 --port "$PORT" --product "$PRODUCT" --client "$impl" \
    --device-prefix "$name-$client-$round-" --json "$run.json" "$@" >"$run.txt" 2>"$run.progress"
  echo $(($(steal) - steal0)) >"$run.steal"
}
# CPU time the hypervisor gave to others (USER_HZ ticks, all CPUs): a loaded host slows every client
steal() { awk '/^cpu /{print $9}' /proc/stat; }

# one unmeasured round of each client warms the emulator's JIT
for c in $CLIENTS; do
  round=warm
  bench qos1 "$c" --devices 1 --interval 1us --inflight 64 --duration 10s --qos 1
  bench fleet "$c" --devices 1000 --connect-rate 3000 --interval 2s --duration 6s --qos 1
  bench conn "$c" --devices 3000 --connect-rate 30000 --interval 60s --duration 5s --qos 1
done
# the emulator keeps warming up over the run: the clients take turns going first (ABBA), so that neither
# always meets the colder emulator
reversed() { local out=""; for c in $CLIENTS; do out="$c $out"; done; echo $out; }
for round in $(seq 1 "$ROUNDS"); do
  order=$CLIENTS
  [ $((round % 2)) -eq 1 ] || order=$(reversed)
  for c in $order; do
    bench fleet "$c" --devices 3000 --connect-rate 3000 --interval 5s --duration 20s --qos 1
    # connection-only (interval longer than the duration): connects at saturation, no posts
    bench conn "$c" --devices 3000 --connect-rate 30000 --interval 60s --duration 10s --qos 1
    # one device as fast as 64 in flight allow (a post due every microsecond: the window is the limit)
    bench qos0 "$c" --devices 1 --interval 1us --inflight 64 --duration 15s --qos 0
    bench qos1 "$c" --devices 1 --interval 1us --inflight 64 --duration 15s --qos 1
  done
  [ -z "$FLOOR" ] || bench fleet "$FLOOR" --devices 3000 --connect-rate 3000 --interval 5s --duration 20s --qos 1
done

python3 - "$OUT" "$ROUNDS" "$FLOOR" $CLIENTS <<'PY'
import json, re, statistics, sys
out, rounds, floor, clients = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
def runs(name, c):
    return [json.load(open(f"{out}/{name}-{c}-{r}.json")) for r in range(1, rounds + 1)]
rows = [
    ("heap per connected device, 3,000 devices (B)", "fleet", lambda j: j["memory"]["heap_used_bytes_per_device"]),
    ("connects per second, ramp 3,000/s (capped by the ramp)", "fleet", lambda j: j["connect"]["per_second"]),
    ("connects per second at saturation, ramp 30,000/s", "conn", lambda j: j["connect"]["per_second"]),
    ("post p99 at a steady 600 posts/s, 3,000 devices (ms)", "fleet", lambda j: j["publish"]["latency_ms"]["p99"]),
    ("failed devices, 3,000 (fleet)", "fleet", lambda j: j["devices"]["failed"]),
    ("failed devices at saturation", "conn", lambda j: j["devices"]["failed"]),
    ("QoS 0 posts answered/s, one device, 64 in flight", "qos0", lambda j: j["publish"]["per_second"]),
    ("QoS 1 posts answered/s, one device, 64 in flight", "qos1", lambda j: j["publish"]["per_second"]),
]
def steady(name, c):
    """posts/s over seconds 6..15 of each run: after the JIT warm-up, which the whole run includes"""
    out_ = []
    for r in range(1, rounds + 1):
        per_s = [int(m) for m in re.findall(r"\] connected .*? posts (\d+)/s", open(f"{out}/{name}-{c}-{r}.progress").read())]
        window = per_s[5:15]
        out_.append(sum(window) / len(window))
    return out_
def steal_pct(name, c):
    # ticks of 1/100 s over 2 CPUs and the run's seconds
    return [int(open(f"{out}/{name}-{c}-{r}.steal").read()) / (2 * json.load(open(f"{out}/{name}-{c}-{r}.json"))["duration_s"])
            for r in range(1, rounds + 1)]
print("| measure (median of %d) | %s |" % (rounds, " | ".join(clients)))
print("|---|" + "---|" * len(clients))
for label, name, f in rows:
    cells = []
    for c in clients:
        vals = [f(j) for j in runs(name, c)]
        cells.append("%s (%s)" % (format(statistics.median(vals), ",.1f"), ", ".join(format(v, ",.0f") for v in vals)))
    print("| %s | %s |" % (label, " | ".join(cells)))
for name in ("qos0", "qos1"):
    cells = []
    for c in clients:
        vals = steady(name, c)
        cells.append("%s (%s)" % (format(statistics.median(vals), ",.1f"), ", ".join(format(v, ",.0f") for v in vals)))
    print("| %s posts answered/s after warm-up (seconds 6-15), one device | %s |" % (name, " | ".join(cells)))
print("| CPU steal during the one-device QoS 1 runs (%%) | %s |" % " | ".join(
    ", ".join("%.0f" % v for v in steal_pct("qos1", c)) for c in clients))
for other in ("hivemq", "baseline"):
    if "thingflux" not in clients or other not in clients:
        continue
    # single-device rates move between rounds: the ratio of each interleaved pair is the fairer reading
    for name in ("conn", "qos0", "qos1"):
        rate = (lambda j: j["connect"]["per_second"]) if name == "conn" else (lambda j: j["publish"]["per_second"])
        pairs = [rate(t) / rate(h)
                 for t, h in zip(runs(name, "thingflux"), runs(name, other))]
        print("%s thingflux/%s per round: %s, median %.2f" % (name, other, ", ".join("%.2f" % r for r in pairs),
              statistics.median(pairs)))
    for name in ("qos0", "qos1"):
        pairs = [t / h for t, h in zip(steady(name, "thingflux"), steady(name, other))]
        print("%s after warm-up thingflux/%s per round: %s, median %.2f" % (name, other,
              ", ".join("%.2f" % r for r in pairs), statistics.median(pairs)))
    heap = [t["memory"]["heap_used_bytes_per_device"] / h["memory"]["heap_used_bytes_per_device"]
            for t, h in zip(runs("fleet", "thingflux"), runs("fleet", other))]
    print("heap per device thingflux/%s per round: %s, median %.2f" % (other, ", ".join("%.2f" % r for r in heap),
          statistics.median(heap)))
if floor:
    heaps = [j["memory"]["heap_used_bytes_per_device"] for j in runs("fleet", floor)]
    print("\nfloor (%s) heap per connected device: %s B (%s)" % (floor, format(statistics.median(heaps), ",.0f"),
          ", ".join(format(v, ",.0f") for v in heaps)))
print("\nresults in " + out)
PY
