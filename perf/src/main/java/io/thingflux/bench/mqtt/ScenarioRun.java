package io.thingflux.bench.mqtt;

import io.thingflux.bench.Shard;
import io.thingflux.mqtt.MqttQos;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Runs a {@link Scenario} over a {@link MqttLoadClient}: this shard's block of every group's
 * clients, the stages one after the other, publishers on absolute schedules from their connect
 * until the end of the run, subscribers counting what arrives; a progress line each second, then a
 * drain, the tail losses, and a disconnect of everything.
 *
 * <p>Schedules: publisher {@code i} of a group of {@code n} with rate {@code r} has its slots at
 * {@code start + i / (n r) + k / r}; from its connect it takes the next slot. A slot that finds the
 * client's in-flight window full is an overrun and is skipped; one the pacer reaches more than
 * {@link #OVERRUN_SLACK_NANOS} late is an overrun and still sent. Latency runs from the slot's
 * time. Slots of a disconnected client are skipped.
 *
 * <p>Shards: each shard runs the clients {@link Shard#first}..{@link Shard#end} of every group (the
 * index {@code %i} stays the one of the whole run), ramps and storms at its share of the rate, and
 * a fanout to a shared topic at its share of the rate (to per-subscriber topics, to its own
 * subscribers at the full rate), so the shards' results merge into the whole run's.
 *
 * <p>Queues: the pacer's inbox takes one entry per completed connect and is emptied at every
 * wake-up; its priority queue holds one slot per connected publisher plus, for at most one
 * interval, the stale slot of each client that reconnected (dropped when it falls due). A slot that
 * finds the client's window ({@code inflight}) full is skipped and counted as an overrun, so
 * nothing waits unbounded.
 *
 * <p>Loss and duplicates: a subscriber tracks each publisher's sequence numbers ({@link
 * SequenceWindow}); a clean-session subscriber forgets them when it reconnects. At the end, what a
 * subscriber misses after the last message it got from a publisher of this process counts as lost.
 */
public final class ScenarioRun {

    /** A slot the pacer reaches later than this after its time counts as an overrun. */
    public static final long OVERRUN_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * The shortest sleep of the pacer: slots falling due within it leave together, so the pacer
     * wakes at most this often rather than once per slot; a slot leaves up to this late (far below
     * {@link #OVERRUN_SLACK_NANOS}) and its latency, measured from its scheduled time, includes
     * that.
     */
    public static final long PACER_TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(250);

    /** How long the end waits at most for messages still on their way. */
    public static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Scenario scenario;
    private final Shard shard;
    private final MqttLoadClient client;
    private final PrintStream progress;
    private final List<StageMetrics> stages = new ArrayList<>();
    private final Map<String, List<Member>> members = new LinkedHashMap<>();
    private final Map<Integer, LongSupplier> localLastSeq = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Slot> pacerInbox = new ConcurrentLinkedQueue<>();
    private final long nanoBase = System.nanoTime();
    private final long epochMicrosBase = System.currentTimeMillis() * 1000;
    private final AtomicLong pendingPublishes = new AtomicLong();
    private volatile StageMetrics current;
    private DeviceSupport devices;
    private volatile int currentIndex;
    private volatile boolean running;
    private volatile boolean publishing = true;
    private long startNanos;

    /**
     * @param scenario what to run (already checked)
     * @param shard this process's slice
     * @param client drives the connections; the caller closes it
     * @param progress where the progress line goes each second, or {@code null}
     */
    public ScenarioRun(
            Scenario scenario, Shard shard, MqttLoadClient client, PrintStream progress) {
        this.scenario = scenario;
        this.shard = shard;
        this.client = client;
        this.progress = progress;
        for (Scenario.Stage s : scenario.stages()) {
            stages.add(new StageMetrics(s.name(), s.type().name().toLowerCase(Locale.ROOT)));
        }
        current = stages.get(0);
        for (Scenario.Group g : scenario.groups()) {
            List<Member> list = new ArrayList<>();
            for (int i = shard.first(g.count()); i < shard.end(g.count()); i++) {
                list.add(new Member(g, i));
            }
            members.put(g.name(), list);
        }
    }

    /**
     * What groups of {@code kind: device} need: the client driving the Aliyun devices, the product
     * whose derived secrets they sign in with, and the admin API a fanout sends property sets
     * through.
     */
    public record DeviceSupport(
            io.thingflux.bench.LoadClient client,
            String productKey,
            String productSecret,
            io.thingflux.bench.DownlinkSender downlinks) {

        @Override
        public String toString() {
            return "DeviceSupport[" + productKey + "]";
        }
    }

    /** The property a fanout's property set carries the bench header in (base64). */
    public static final String HEADER_PROPERTY = "BenchHeader";

    /** Lets device groups run; call before {@link #run()}. */
    public ScenarioRun withDevices(DeviceSupport support) {
        this.devices = support;
        return this;
    }

    /** The stages' live metrics, in order (for Prometheus while running). */
    public List<StageMetrics> stageMetrics() {
        return List.copyOf(stages);
    }

    /** The shard label of this run. */
    public Shard shard() {
        return shard;
    }

    /** The scenario being run. */
    public Scenario scenario() {
        return scenario;
    }

    /** CPU time this process used so far, in nanoseconds (0 when the JVM cannot tell). */
    public static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    /**
     * CPU time this process used in user mode so far, in nanoseconds, from {@code /proc/self/stat}
     * (Linux, 100 ticks per second); 0 elsewhere.
     */
    public static long processUserCpuNanos() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) * 10_000_000L; // utime, field 14 of the whole line
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private long epochMicros(long nanos) {
        return epochMicrosBase + (nanos - nanoBase) / 1000;
    }

    private String expand(String pattern, int index) {
        return pattern.replace("%i", Integer.toString(index))
                .replace("%s", Integer.toString(shard.index()))
                .replace("%%", "%");
    }

    /** Runs every stage, then drains and disconnects; returns the result. */
    public ScenarioResult run() throws InterruptedException {
        running = true;
        long cpuStart = processCpuNanos();
        startNanos = System.nanoTime();
        Thread pacer = new Thread(this::pace, "bench-pacer");
        pacer.setDaemon(true);
        Thread reporter = new Thread(this::report, "bench-progress");
        reporter.setDaemon(true);
        pacer.start();
        reporter.start();
        try {
            for (int i = 0; i < stages.size(); i++) {
                StageMetrics m = stages.get(i);
                m.cpuStartNanos = processCpuNanos();
                m.cpuUserStartNanos = processUserCpuNanos();
                m.startNanos = System.nanoTime();
                current = m;
                currentIndex = i;
                runStage(i, scenario.stages().get(i));
                m.endNanos = System.nanoTime();
                m.cpuEndNanos = processCpuNanos();
                m.cpuUserEndNanos = processUserCpuNanos();
            }
            // what arrives now counts in the stage that sent it, and so does the CPU it takes; the
            // last stage's time stays its own
            drain();
            stages.get(stages.size() - 1).cpuEndNanos = processCpuNanos();
            stages.get(stages.size() - 1).cpuUserEndNanos = processUserCpuNanos();
        } finally {
            running = false;
            pacer.interrupt();
            reporter.interrupt();
            pacer.join(2000);
            reporter.join(2000);
            disconnectAll();
        }
        List<StageResult> results = stages.stream().map(StageMetrics::result).toList();
        return new ScenarioResult(
                scenario.name(),
                client.name(),
                1,
                results,
                (System.nanoTime() - startNanos) / 1e9,
                processCpuNanos() - cpuStart);
    }

    private void runStage(int index, Scenario.Stage stage) throws InterruptedException {
        long now = System.nanoTime();
        switch (stage.type()) {
            case RAMP -> {
                List<Member> group = members.get(stage.group());
                List<CompletableFuture<Void>> connects = new ArrayList<>();
                double rate = shard.share(stage.rate());
                long k = 0;
                for (Member m : group) {
                    if (m.index >= stage.to() || m.connected || m.connecting) {
                        continue;
                    }
                    long due = now + (long) (k++ * 1e9 / rate);
                    sleepUntil(due);
                    connects.add(connect(m, due));
                }
                await(connects, now + stage.duration().toNanos());
            }
            case HOLD -> sleepUntil(now + stage.duration().toNanos());
            case CHURN -> churn(stage, now);
            case STORM -> storm(stage, now);
            case FANOUT -> fanout(index, stage, now);
        }
    }

    /**
     * Churn: the whole run's group loses {@code percent} % of its clients per second, event {@code
     * k} at {@code start + (k + 1/2) / eventRate} hitting client {@code k mod count}; each shard
     * runs the events of its own clients, so the shards together churn as one run would.
     */
    private void churn(Scenario.Stage stage, long start) throws InterruptedException {
        Scenario.Group g = scenario.group(stage.group());
        List<Member> group = members.get(stage.group());
        double eventRate = stage.percent() / 100.0 * g.count();
        long end = start + stage.duration().toNanos();
        int first = shard.first(g.count());
        for (long k = 0; eventRate > 0; k++) {
            long due = start + (long) ((k + 0.5) * 1e9 / eventRate);
            if (due >= end) {
                break;
            }
            int index = (int) (k % g.count());
            if (index < first || index >= first + group.size()) {
                continue;
            }
            sleepUntil(due);
            Member m = group.get(index - first);
            if (m.connected) {
                disconnect(m).thenRun(() -> connect(m, System.nanoTime()));
            }
        }
        sleepUntil(end);
    }

    private void storm(Scenario.Stage stage, long start) throws InterruptedException {
        List<Member> group = members.get(stage.group());
        List<CompletableFuture<Void>> drops = new ArrayList<>();
        for (Member m : group) {
            if (m.connected) {
                drops.add(disconnect(m));
            }
        }
        await(drops, start + TimeUnit.SECONDS.toNanos(10));
        long now = System.nanoTime();
        double rate = shard.share(stage.rate());
        List<CompletableFuture<Void>> connects = new ArrayList<>();
        long k = 0;
        for (Member m : group) {
            if (!m.connected && !m.connecting) {
                long due = now + (long) (k++ * 1e9 / rate);
                sleepUntil(due);
                connects.add(connect(m, due));
            }
        }
        await(connects, now + stage.duration().toNanos());
    }

    private void fanout(int index, Scenario.Stage stage, long start) throws InterruptedException {
        Scenario.Group targetGroup = stage.group() == null ? null : scenario.group(stage.group());
        if (targetGroup != null && targetGroup.kind() == Scenario.Kind.DEVICE) {
            fanoutPropertySets(index, stage, targetGroup, start);
            return;
        }
        StageMetrics metrics = stages.get(index);
        ConnectionSpec spec =
                new ConnectionSpec(
                        "bench-fanout-" + index + "-" + shard.index(),
                        firstUsername(),
                        firstPassword(),
                        true,
                        ScenarioParser.DEFAULT_KEEP_ALIVE_SECONDS,
                        List.of(),
                        MqttQos.AT_MOST_ONCE);
        MqttLoadConnection source = client.connection(spec, (t, p) -> {});
        try {
            source.connect().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            metrics.error("fanout_source_connect");
            sleepUntil(start + stage.duration().toNanos());
            return;
        }
        boolean perSubscriber = stage.topic().contains("%i");
        List<Integer> targets = new ArrayList<>();
        double rate;
        if (perSubscriber) {
            Scenario.Group g = scenario.group(stage.group());
            int end = Math.min(stage.count(), shard.end(g.count()));
            for (int i = shard.first(g.count()); i < end; i++) {
                targets.add(i);
            }
            rate = stage.rate();
        } else {
            targets.add(-1);
            rate = shard.share(stage.rate());
        }
        int publisherId = -1 - index * 1024 - shard.index();
        AtomicLong rounds = new AtomicLong();
        localLastSeq.put(publisherId, () -> rounds.get() - 1);
        AtomicInteger inflight = new AtomicInteger();
        long interval = (long) (1e9 / rate);
        long end = start + stage.duration().toNanos();
        SplittableRandom random = new SplittableRandom(index);
        int qos = stage.qos().code();
        for (long r = 0; start + r * interval < end; r++) {
            long due = start + r * interval;
            sleepUntil(due);
            boolean late = System.nanoTime() - due > OVERRUN_SLACK_NANOS;
            for (int target : targets) {
                if (inflight.get() >= ThingfluxMqttLoad.MAX_IN_FLIGHT) {
                    metrics.overruns.increment();
                    continue;
                }
                if (late) {
                    metrics.overruns.increment();
                }
                String topic = perSubscriber ? expand(stage.topic(), target) : stage.topic();
                byte[] payload =
                        stage.payload()
                                .make(
                                        index,
                                        qos,
                                        publisherId,
                                        r,
                                        epochMicros(due),
                                        spec.clientId(),
                                        random);
                publish(source, topic, stage.qos(), false, payload, due, inflight);
            }
            rounds.set(r + 1);
        }
        sleepUntil(end);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (inflight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        source.disconnect();
    }

    /**
     * A fanout to devices: each round, one property set through the admin API to each of this
     * shard's devices among the group's first {@code count}, carrying the bench header; sent counts
     * the requests, acked those the API accepted, received what reached the devices.
     */
    private void fanoutPropertySets(int index, Scenario.Stage stage, Scenario.Group g, long start)
            throws InterruptedException {
        StageMetrics metrics = stages.get(index);
        List<Member> group = members.get(g.name());
        List<Member> targets = group.stream().filter(m -> m.index < stage.count()).toList();
        int publisherId = -1 - index * 1024 - shard.index();
        AtomicLong rounds = new AtomicLong();
        localLastSeq.put(publisherId, () -> rounds.get() - 1);
        AtomicInteger inflight = new AtomicInteger();
        long interval = (long) (1e9 / stage.rate());
        long end = start + stage.duration().toNanos();
        for (long r = 0; start + r * interval < end; r++) {
            long due = start + r * interval;
            sleepUntil(due);
            boolean late = System.nanoTime() - due > OVERRUN_SLACK_NANOS;
            for (Member m : targets) {
                if (inflight.get() >= ThingfluxMqttLoad.MAX_IN_FLIGHT) {
                    metrics.overruns.increment();
                    continue;
                }
                if (late) {
                    metrics.overruns.increment();
                }
                byte[] header = new byte[BenchHeader.LENGTH];
                BenchHeader.write(header, index, g.qos().code(), publisherId, r, epochMicros(due));
                metrics.sent.increment();
                inflight.incrementAndGet();
                pendingPublishes.incrementAndGet();
                long scheduled = due;
                devices.downlinks()
                        .setProperties(
                                m.identity(),
                                Map.of(
                                        HEADER_PROPERTY,
                                        java.util.Base64.getEncoder().encodeToString(header)))
                        .whenComplete(
                                (v, e) -> {
                                    inflight.decrementAndGet();
                                    pendingPublishes.decrementAndGet();
                                    if (e == null) {
                                        metrics.ackedAfter(System.nanoTime() - scheduled);
                                    } else {
                                        metrics.publishFailed.increment();
                                        metrics.error("property_set_" + reason(e));
                                    }
                                });
            }
            rounds.set(r + 1);
        }
        sleepUntil(end);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (inflight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private void onPropertySet(Member m, int gen, Map<String, Object> params) {
        if (m.generation.get() != gen) {
            return;
        }
        Object h = params.get(HEADER_PROPERTY);
        if (h instanceof String text) {
            try {
                onMessage(m, java.util.Base64.getDecoder().decode(text));
            } catch (IllegalArgumentException notOurs) {
                current.error("property_set_unreadable");
            }
        }
    }

    /** A device of a {@code kind: device} group as a bench connection: publish posts properties. */
    private record DeviceConnection(
            io.thingflux.bench.BenchDevice device,
            java.util.function.Supplier<Map<String, ?>> params)
            implements MqttLoadConnection {
        @Override
        public CompletableFuture<Void> connect() {
            return device.connect();
        }

        @Override
        public CompletableFuture<Void> publish(
                String topic, MqttQos qos, boolean retain, byte[] payload) {
            return device.postProperties(params.get());
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return device.disconnect();
        }
    }

    private String firstUsername() {
        return scenario.groups().stream()
                .filter(g -> g.username() != null)
                .map(g -> expand(g.username(), 0))
                .findFirst()
                .orElse(null);
    }

    private byte[] firstPassword() {
        return scenario.groups().stream()
                .filter(g -> g.password() != null)
                .map(g -> g.password().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .findFirst()
                .orElse(null);
    }

    private void publish(
            MqttLoadConnection conn,
            String topic,
            MqttQos qos,
            boolean retain,
            byte[] payload,
            long scheduled,
            AtomicInteger inflight) {
        StageMetrics st = current;
        st.sent.increment();
        inflight.incrementAndGet();
        pendingPublishes.incrementAndGet();
        CompletableFuture<Void> f;
        try {
            f = conn.publish(topic, qos, retain, payload);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete(
                (v, e) -> {
                    inflight.decrementAndGet();
                    pendingPublishes.decrementAndGet();
                    StageMetrics s = current;
                    if (e == null) {
                        s.ackedAfter(System.nanoTime() - scheduled);
                    } else {
                        s.publishFailed.increment();
                        s.error("publish_" + reason(e));
                    }
                });
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null
                && (t instanceof java.util.concurrent.CompletionException
                        || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getClass()
                .getSimpleName()
                .replace("Exception", "")
                .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                .toLowerCase(Locale.ROOT);
    }

    private CompletableFuture<Void> connect(Member m, long scheduled) {
        StageMetrics st = current;
        st.connectsStarted.increment();
        m.connecting = true;
        int gen = m.generation.incrementAndGet();
        if (m.group.cleanSession()) {
            synchronized (m.windows) {
                m.windows.clear();
            }
        }
        // messages of an earlier connection of this client (still arriving while it closes) are
        // not this one's
        MqttLoadConnection conn;
        if (m.group.kind() == Scenario.Kind.DEVICE) {
            if (devices == null) {
                throw new IllegalStateException("a device group needs withDevices");
            }
            conn =
                    new DeviceConnection(
                            devices.client()
                                    .device(
                                            m.identity(),
                                            null,
                                            params -> onPropertySet(m, gen, params)),
                            m.postParams());
        } else {
            conn =
                    client.connection(
                            m.spec,
                            (t, p) -> {
                                if (m.generation.get() == gen) {
                                    onMessage(m, p);
                                }
                            });
        }
        m.conn = conn;
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> f;
        try {
            f = conn.connect();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete(
                (v, e) -> {
                    StageMetrics s = current;
                    m.connecting = false;
                    if (e == null && m.generation.get() == gen) {
                        s.connectedAfter(System.nanoTime() - scheduled);
                        m.connected = true;
                        if ((m.group.kind() == Scenario.Kind.PUB
                                        || m.group.kind() == Scenario.Kind.DEVICE)
                                && m.group.rate() > 0) {
                            pacerInbox.add(new Slot(m, gen, 0));
                        }
                    } else if (e != null) {
                        s.connectFailed.increment();
                        s.error("connect_" + reason(e));
                    }
                    done.complete(null);
                });
        return done;
    }

    private CompletableFuture<Void> disconnect(Member m) {
        m.connected = false;
        m.generation.incrementAndGet();
        current.disconnects.increment();
        MqttLoadConnection c = m.conn;
        return c == null ? CompletableFuture.completedFuture(null) : c.disconnect();
    }

    /** Counts a message in the stage that sent it (the current one when it has no header). */
    private void onMessage(Member m, byte[] payload) {
        if (!BenchHeader.present(payload)) {
            current.receivedAfter(m.group.qos().code(), -1);
            return;
        }
        int sentIn = BenchHeader.stage(payload);
        StageMetrics st = sentIn < stages.size() ? stages.get(sentIn) : current;
        int qos = BenchHeader.qos(payload);
        st.receivedAfter(
                qos, epochMicros(System.nanoTime()) - BenchHeader.scheduledEpochMicros(payload));
        long r;
        synchronized (m.windows) {
            r =
                    m.windows
                            .computeIfAbsent(
                                    BenchHeader.publisher(payload), p -> new SequenceWindow())
                            .accept(BenchHeader.seq(payload));
        }
        if (r == SequenceWindow.DUPLICATE) {
            st.duplicates[qos].increment();
        } else if (r == SequenceWindow.LATE) {
            st.lost[qos].decrement();
        } else if (r > 0) {
            st.lost[qos].add(r);
        }
    }

    /** One publisher's next slot, in the pacer's queue; {@code gen} is its connection's. */
    private record Slot(Member member, int gen, long due) {}

    private void pace() {
        PriorityQueue<Slot> queue = new PriorityQueue<>((a, b) -> Long.compare(a.due(), b.due()));
        while (running && !Thread.currentThread().isInterrupted()) {
            Slot in;
            long now = System.nanoTime();
            while ((in = pacerInbox.poll()) != null) {
                queue.add(new Slot(in.member(), in.gen(), in.member().nextSlotAfter(now)));
            }
            Slot s = queue.peek();
            if (s == null || s.due() > now) {
                // sleeps at least PACER_TICK_NANOS: the slots due meanwhile leave together, one
                // wake-up for many
                long wait =
                        s == null
                                ? 1_000_000
                                : Math.min(1_000_000, Math.max(PACER_TICK_NANOS, s.due() - now));
                LockSupport.parkNanos(wait);
                continue;
            }
            queue.poll();
            Member m = s.member();
            if (!m.connected || m.generation.get() != s.gen()) {
                continue; // back in the inbox when it reconnects
            }
            StageMetrics st = current;
            if (!publishing) {
                continue;
            }
            if (m.inflight.get() >= m.group.inflight()) {
                st.overruns.increment();
            } else {
                if (now - s.due() > OVERRUN_SLACK_NANOS) {
                    st.overruns.increment();
                }
                long seq = m.seq.getAndIncrement();
                byte[] payload =
                        m.group
                                .payload()
                                .make(
                                        currentIndex,
                                        m.group.qos().code(),
                                        m.publisherId,
                                        seq,
                                        epochMicros(s.due()),
                                        m.spec.clientId(),
                                        m.random);
                publish(
                        m.conn,
                        m.topic,
                        m.group.qos(),
                        m.group.retain(),
                        payload,
                        s.due(),
                        m.inflight);
            }
            queue.add(new Slot(m, s.gen(), s.due() + m.intervalNanos));
        }
    }

    private void drain() throws InterruptedException {
        publishing = false; // the pacer sends no more, so what is in flight can finish
        long deadline = System.nanoTime() + DRAIN_NANOS;
        awaitPublishes(deadline);
        long last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long received = 0;
            for (StageMetrics s : stages) {
                received += s.received[0].sum() + s.received[1].sum() + s.received[2].sum();
            }
            if (received != last) {
                last = received;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(300)) {
                break;
            }
            Thread.sleep(50);
        }
        StageMetrics st = current;
        for (List<Member> list : members.values()) {
            for (Member m : list) {
                if (!m.connected
                        || (m.group.kind() != Scenario.Kind.SUB
                                && m.group.kind() != Scenario.Kind.DEVICE)) {
                    continue;
                }
                synchronized (m.windows) {
                    for (Map.Entry<Integer, SequenceWindow> w : m.windows.entrySet()) {
                        LongSupplier lastSeq = localLastSeq.get(w.getKey());
                        if (lastSeq != null) {
                            long missing = lastSeq.getAsLong() - w.getValue().highest();
                            if (missing > 0) {
                                st.lost[m.group.qos().code()].add(missing);
                            }
                        }
                    }
                }
            }
        }
    }

    private void awaitPublishes(long deadline) throws InterruptedException {
        while (pendingPublishes.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private void disconnectAll() throws InterruptedException {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (List<Member> list : members.values()) {
            for (Member m : list) {
                m.generation.incrementAndGet();
                m.connected = false;
                if (m.conn != null) {
                    closing.add(m.conn.disconnect().exceptionally(e -> null));
                }
            }
        }
        await(closing, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    private static void await(List<CompletableFuture<Void>> futures, long deadline)
            throws InterruptedException {
        CompletableFuture<Void> all =
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        while (!all.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void sleepUntil(long due) throws InterruptedException {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
            if (Thread.interrupted()) {
                throw new InterruptedException("scenario interrupted");
            }
        }
    }

    private void report() {
        long next = startNanos + TimeUnit.SECONDS.toNanos(1);
        while (!Thread.currentThread().isInterrupted()) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            next += TimeUnit.SECONDS.toNanos(1);
            stages.forEach(StageMetrics::sample);
            if (progress != null) {
                progress.println(progressLine());
            }
        }
    }

    /** The progress line: the stage now running and the run's totals so far. */
    String progressLine() {
        StageMetrics st = current;
        long connected = 0;
        for (List<Member> list : members.values()) {
            for (Member m : list) {
                connected += m.connected ? 1 : 0;
            }
        }
        long sent = 0;
        long received = 0;
        long lost = 0;
        long overruns = 0;
        for (StageMetrics s : stages) {
            sent += s.sent.sum();
            received += s.received[0].sum() + s.received[1].sum() + s.received[2].sum();
            lost += s.lost[0].sum() + s.lost[1].sum() + s.lost[2].sum();
            overruns += s.overruns.sum();
        }
        return String.format(
                Locale.ROOT,
                "%6.1fs stage %-12s connected %d  sent %d  received %d  lost %d  overruns %d  e2e p99 %.1f ms",
                (System.nanoTime() - startNanos) / 1e9,
                st.name,
                connected,
                sent,
                received,
                lost,
                overruns,
                st.percentile("e2e", 99) / 1000.0);
    }

    /** One client of a group in this shard. */
    private final class Member {
        final Scenario.Group group;
        final int index;
        final int publisherId;
        final ConnectionSpec spec;
        final String topic;
        final long intervalNanos;
        final long phaseNanos;
        final AtomicInteger generation = new AtomicInteger();
        final AtomicInteger inflight = new AtomicInteger();
        final AtomicLong seq = new AtomicLong();
        final Map<Integer, SequenceWindow> windows = new HashMap<>();
        final SplittableRandom random;
        volatile MqttLoadConnection conn;
        volatile boolean connected;
        volatile boolean connecting;

        Member(Scenario.Group group, int index) {
            this.group = group;
            this.index = index;
            this.publisherId = group.indexBase() + index;
            this.random = new SplittableRandom(publisherId);
            this.spec =
                    new ConnectionSpec(
                            expand(group.clientId(), index),
                            group.username() == null ? null : expand(group.username(), index),
                            group.password() == null
                                    ? null
                                    : group.password()
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            group.cleanSession(),
                            group.keepAliveSeconds(),
                            group.kind() == Scenario.Kind.SUB
                                    ? group.topics().stream().map(f -> expand(f, index)).toList()
                                    : List.of(),
                            group.qos());
            this.topic =
                    group.kind() == Scenario.Kind.PUB ? expand(group.topics().get(0), index) : null;
            this.intervalNanos = group.rate() > 0 ? (long) (1e9 / group.rate()) : Long.MAX_VALUE;
            this.phaseNanos =
                    group.rate() > 0 ? (long) ((double) index * intervalNanos / group.count()) : 0;
            if (group.kind() == Scenario.Kind.PUB) {
                localLastSeq.put(publisherId, () -> seq.get() - 1);
            }
        }

        private io.thingflux.aliyun.AliyunDeviceIdentity identity;
        private java.util.function.Supplier<Map<String, ?>> postParams;

        /** A device member's identity, derived from the product the first time. */
        synchronized io.thingflux.aliyun.AliyunDeviceIdentity identity() {
            if (identity == null) {
                identity =
                        io.thingflux.aliyun.AliyunProducts.deriveDevice(
                                devices.productKey(), devices.productSecret(), spec.clientId());
            }
            return identity;
        }

        /** What a device member posts: TSL values, or a padded post of the payload's size. */
        synchronized java.util.function.Supplier<Map<String, ?>> postParams() {
            if (postParams == null) {
                if (group.tsl() != null) {
                    TslPropertyGenerator tsl = group.tsl();
                    postParams = () -> tsl.next(random); // the pacer thread only
                } else {
                    Map<String, Object> fixed =
                            io.thingflux.bench.PostParams.sized(
                                    Math.max(
                                            io.thingflux.bench.BenchOptions.MIN_PAYLOAD_BYTES,
                                            group.payload().size()));
                    postParams = () -> fixed;
                }
            }
            return postParams;
        }

        /** The first of its slots at or after {@code now}. */
        long nextSlotAfter(long now) {
            long origin = startNanos + phaseNanos;
            if (now <= origin) {
                return origin;
            }
            long k = (now - origin + intervalNanos - 1) / intervalNanos;
            return origin + k * intervalNanos;
        }
    }
}
