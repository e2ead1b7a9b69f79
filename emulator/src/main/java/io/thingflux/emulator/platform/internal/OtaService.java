package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.emulator.platform.EmulatorRequestException;
import io.thingflux.mqtt.MqttQos;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The platform's OTA service: firmware files registered by CreateOTAFirmware (bytes held once, or a
 * path read when served; at most {@link #MAX_FIRMWARES}), static upgrade jobs for listed devices
 * (each device's task: queued, notified, in progress, succeeded or failed, with its progress),
 * upgrade notices on {@code /ota/device/upgrade/{pk}/{dn}}, the answer to {@code
 * thing.ota.firmware.get}, and the download faults a test injects (cut a download midway, serve a
 * corrupted file). Thread-safe.
 */
final class OtaService {

    static final int MAX_FIRMWARES = 1000;
    static final int MAX_TASKS = 1_000_000;

    /** The largest file the MQTT download serves. */
    static final long MAX_MQTT_FILE = 16L * 1024 * 1024;

    /** A registered firmware file; {@code bytes} or {@code path} holds its content. */
    record Firmware(
            String id,
            String productKey,
            String version,
            String module,
            String signMethod,
            long size,
            String md5,
            String sha256,
            byte[] bytes,
            Path path) {

        InputStream open() throws IOException {
            return bytes != null
                    ? new java.io.ByteArrayInputStream(bytes)
                    : Files.newInputStream(path);
        }

        @Override
        public String toString() {
            return "Firmware[" + id + ", " + version + ", " + size + " bytes]";
        }
    }

    /** A fault served with a firmware's next downloads. */
    record Fault(String kind, double at, int times) {}

    /** One device's task in a job; guarded by itself. */
    static final class Task {
        final String taskId;
        final String jobId;
        final String productKey;
        final String deviceName;
        final Firmware firmware;
        final boolean mqtt;
        String status = "QUEUED";
        int progress;
        String desc = "";

        Task(String taskId, String jobId, String pk, String dn, Firmware firmware, boolean mqtt) {
            this.mqtt = mqtt;
            this.taskId = taskId;
            this.jobId = jobId;
            this.productKey = pk;
            this.deviceName = dn;
            this.firmware = firmware;
        }
    }

    private final BrokerEngine engine;
    private final PlatformFiles files;
    private final ConcurrentHashMap<String, Firmware> firmwares = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Fault> faults = new ConcurrentHashMap<>();

    /** Per firmware: HTTP downloads served, and how many of them started past byte 0 (resumed). */
    private final ConcurrentHashMap<String, AtomicLong[]> downloads = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, List<Task>> jobs = new ConcurrentHashMap<>();

    /** The latest task of each device and module, by "pk/dn/module". */
    private final ConcurrentHashMap<String, Task> current = new ConcurrentHashMap<>();

    private final AtomicLong ids = new AtomicLong(System.currentTimeMillis() % 1_000_000L);
    private final AtomicLong taskCount = new AtomicLong();

    OtaService(BrokerEngine engine, PlatformFiles files) {
        this.engine = engine;
        this.files = files;
    }

    PlatformFiles files() {
        return files;
    }

    /** Registers a firmware (CreateOTAFirmware); returns its id. */
    Firmware createFirmware(
            String pk, String version, String module, String signMethod, byte[] bytes, Path path) {
        if (firmwares.size() >= MAX_FIRMWARES) {
            throw new EmulatorRequestException(
                    "iot.ota.FirmwareCountExceeded", "at most " + MAX_FIRMWARES + " firmwares");
        }
        MessageDigest md5 = digest("MD5");
        MessageDigest sha = digest("SHA-256");
        long size;
        if (bytes != null) {
            md5.update(bytes);
            sha.update(bytes);
            size = bytes.length;
        } else {
            size = 0;
            byte[] buf = new byte[65536];
            try (InputStream in = Files.newInputStream(path)) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    md5.update(buf, 0, n);
                    sha.update(buf, 0, n);
                    size += n;
                }
            } catch (IOException e) {
                throw new EmulatorRequestException(
                        EmulatorRequestException.INVALID_PARAMETER,
                        "cannot read the firmware file: " + e.getClass().getSimpleName());
            }
        }
        String id = "fw" + ids.incrementAndGet();
        Firmware f =
                new Firmware(
                        id,
                        pk,
                        version,
                        module == null ? "default" : module,
                        signMethod == null ? "MD5" : signMethod,
                        size,
                        HexFormat.of().formatHex(md5.digest()),
                        HexFormat.of().formatHex(sha.digest()),
                        bytes,
                        path);
        firmwares.put(id, f);
        return f;
    }

    Firmware firmware(String id) {
        Firmware f = firmwares.get(id);
        if (f == null) {
            throw new EmulatorRequestException("iot.ota.FirmwareNotExist", "no firmware " + id);
        }
        return f;
    }

    /** Counts an HTTP download of {@code id} starting at byte {@code from}. */
    void countDownload(String id, long from) {
        AtomicLong[] c =
                downloads.computeIfAbsent(
                        id, k -> new AtomicLong[] {new AtomicLong(), new AtomicLong()});
        c[0].incrementAndGet();
        if (from > 0) {
            c[1].incrementAndGet();
        }
    }

    /** {downloads, resumed downloads} of firmware {@code id}. */
    long[] downloads(String id) {
        AtomicLong[] c = downloads.get(id);
        return c == null ? new long[2] : new long[] {c[0].get(), c[1].get()};
    }

    /** Serves the next {@code times} downloads of firmware {@code id} with a fault. */
    void injectFault(String id, String kind, double at, int times) {
        firmware(id);
        if (kind.equals("none")) {
            faults.remove(id);
        } else {
            faults.put(id, new Fault(kind, at, times));
        }
    }

    /** The fault for this download of {@code id}, counting it down; {@code null} for none. */
    Fault takeFault(String id) {
        Fault[] taken = new Fault[1];
        faults.computeIfPresent(
                id,
                (k, f) -> {
                    taken[0] = f;
                    return f.times() <= 1 ? null : new Fault(f.kind(), f.at(), f.times() - 1);
                });
        return taken[0];
    }

    /**
     * Starts a static upgrade job (CreateOTAStaticUpgradeJob): a task per device, and an upgrade
     * notice to each device that is online; returns the job id.
     */
    String createJob(String firmwareId, List<String> deviceNames, boolean mqtt) {
        if (mqtt && firmware(firmwareId).size() > MAX_MQTT_FILE) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER,
                    "the MQTT download takes files up to 16 MB");
        }
        Firmware f = firmware(firmwareId);
        if (taskCount.addAndGet(deviceNames.size()) > MAX_TASKS) {
            taskCount.addAndGet(-deviceNames.size());
            throw new EmulatorRequestException(
                    "iot.ota.TaskCountExceeded", "at most " + MAX_TASKS + " tasks");
        }
        String jobId = "job" + ids.incrementAndGet();
        List<Task> tasks = new ArrayList<>();
        for (String dn : deviceNames) {
            Task t = new Task("task" + ids.incrementAndGet(), jobId, f.productKey(), dn, f, mqtt);
            tasks.add(t);
            current.put(f.productKey() + "/" + dn + "/" + f.module(), t);
        }
        jobs.put(jobId, List.copyOf(tasks));
        for (Task t : tasks) {
            notifyDevice(t);
        }
        return jobId;
    }

    private void notifyDevice(Task t) {
        ObjectNode notice = EmulatorJson.object();
        notice.put("code", "1000");
        notice.set("data", noticeData(t.firmware, t.mqtt));
        notice.put("id", System.currentTimeMillis());
        notice.put("message", "success");
        synchronized (t) {
            if (t.status.equals("QUEUED")) {
                t.status = "NOTIFIED";
            }
        }
        engine.publishFromPlatform(
                "/ota/device/upgrade/" + t.productKey + "/" + t.deviceName,
                EmulatorJson.bytes(notice),
                MqttQos.AT_LEAST_ONCE);
    }

    private ObjectNode noticeData(Firmware f, boolean mqtt) {
        ObjectNode data = EmulatorJson.object();
        data.put("size", f.size());
        data.put("version", f.version());
        data.put("isDiff", 0);
        if (mqtt) {
            data.put("dProtocol", "mqtt");
            data.put("streamId", streamId(f));
            data.put("streamFileId", 1);
        } else {
            data.put("url", files.firmwareUrl(f.id()));
        }
        data.put("md5", f.md5());
        boolean sha = f.signMethod().equalsIgnoreCase("SHA256");
        data.put("sign", sha ? f.sha256() : f.md5());
        data.put("signMethod", sha ? "SHA256" : "MD5");
        data.put("module", f.module());
        return data;
    }

    /** {@code thing.ota.firmware.get}: the pending firmware of the module, or empty data. */
    PlatformServicesResponder.Answer firmwareGet(String pk, String dn, JsonNode params) {
        if (!engine.authenticatorKnows(pk, dn)) {
            return PlatformServicesResponder.Answer.error(
                    PlatformServicesResponder.CODE_OTA_NO_DEVICE, "device not found");
        }
        String module = params.path("module").asText("default");
        Task t = current.get(pk + "/" + dn + "/" + module);
        if (t == null) {
            return PlatformServicesResponder.Answer.ok(EmulatorJson.object());
        }
        synchronized (t) {
            if (t.status.equals("SUCCEEDED")) {
                return PlatformServicesResponder.Answer.ok(EmulatorJson.object());
            }
        }
        return PlatformServicesResponder.Answer.ok(noticeData(t.firmware, t.mqtt));
    }

    void onProgress(String pk, String dn, String module, int step, String desc) {
        Task t = current.get(pk + "/" + dn + "/" + module);
        if (t == null) {
            return;
        }
        synchronized (t) {
            if (step < 0) {
                t.status = "FAILED";
                t.progress = step;
            } else if (step > 0) {
                t.status = t.status.equals("SUCCEEDED") ? t.status : "IN_PROGRESS";
                t.progress = Math.min(100, step);
            }
            t.desc = desc;
        }
    }

    void onInform(String pk, String dn, String module, String version) {
        Task t = current.get(pk + "/" + dn + "/" + module);
        if (t == null) {
            return;
        }
        synchronized (t) {
            if (t.firmware.version().equals(version)) {
                t.status = "SUCCEEDED";
                t.progress = 100;
            }
        }
    }

    /** The tasks of job {@code jobId}, as ListOTATaskByJob returns them. */
    List<Map<String, Object>> tasks(String jobId) {
        List<Task> tasks = jobs.get(jobId);
        if (tasks == null) {
            throw new EmulatorRequestException("iot.ota.JobNotExist", "no job " + jobId);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Task t : tasks) {
            Map<String, Object> m = new LinkedHashMap<>();
            synchronized (t) {
                m.put("TaskId", t.taskId);
                m.put("JobId", t.jobId);
                m.put("ProductKey", t.productKey);
                m.put("DeviceName", t.deviceName);
                m.put("DestVersion", t.firmware.version());
                m.put("TaskStatus", t.status);
                m.put("Progress", Integer.toString(t.progress));
                m.put("TaskDesc", t.desc);
            }
            out.add(m);
        }
        return out;
    }

    /** The task of a device for a module (QueryDeviceUpgradeStatus), or {@code null}. */
    Map<String, Object> task(String pk, String dn, String module) {
        Task t = current.get(pk + "/" + dn + "/" + module);
        if (t == null) {
            return null;
        }
        return tasks(t.jobId).stream()
                .filter(m -> m.get("DeviceName").equals(dn))
                .findFirst()
                .orElse(null);
    }

    /** A firmware's MQTT stream id: its number. */
    private static long streamId(Firmware f) {
        return Long.parseLong(f.id().substring(2));
    }

    /**
     * A block of an MQTT download ({@code thing.file.download}): the binary reply frame, or a
     * header-only frame with code 460 (bad request) or 9112 (no such stream) .
     */
    byte[] fileBlock(JsonNode request) {
        String id = request.path("id").asText("");
        JsonNode params = request.path("params");
        long stream = params.path("fileInfo").path("streamId").asLong(-1);
        long offset = params.path("fileBlock").path("offset").asLong(-1);
        int size = params.path("fileBlock").path("size").asInt(-1);
        Firmware f = firmwares.get("fw" + stream);
        if (f == null) {
            return io.thingflux.alink.MqttFileDownload.encodeFrame(
                    io.thingflux.alink.MqttFileDownload.header(
                            id, PlatformServicesResponder.CODE_OTA_NO_DEVICE, 0, 0, offset),
                    new byte[0],
                    0,
                    0);
        }
        if (offset < 0
                || size <= 0
                || size > io.thingflux.alink.MqttFileDownload.MAX_BLOCK_SIZE
                || offset >= f.size()) {
            return io.thingflux.alink.MqttFileDownload.encodeFrame(
                    io.thingflux.alink.MqttFileDownload.header(
                            id, PlatformServicesResponder.CODE_BAD_PARAMS, f.size(), 0, offset),
                    new byte[0],
                    0,
                    0);
        }
        int length = (int) Math.min(size, f.size() - offset);
        byte[] block = new byte[length];
        try (InputStream in = f.open()) {
            in.skipNBytes(offset);
            in.readNBytes(block, 0, length);
        } catch (IOException e) {
            return io.thingflux.alink.MqttFileDownload.encodeFrame(
                    io.thingflux.alink.MqttFileDownload.header(
                            id, PlatformServicesResponder.CODE_SYSTEM_ERROR, f.size(), 0, offset),
                    new byte[0],
                    0,
                    0);
        }
        return io.thingflux.alink.MqttFileDownload.encodeFrame(
                io.thingflux.alink.MqttFileDownload.header(id, 200, f.size(), length, offset),
                block,
                0,
                length);
    }

    static String sha256Hex(byte[] bytes) {
        MessageDigest sha = digest("SHA-256");
        return HexFormat.of().formatHex(sha.digest(bytes));
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
