package io.thingflux.alink;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The platform's MQTT file download (OTA with {@code "dProtocol":"mqtt"}, files up to 16 MB): the
 * device asks for one block at a time on {@code /sys/{pk}/{dn}/thing/file/download} ({@code
 * {"id","params":{"fileInfo":{"streamId","fileId"},"fileBlock":{"size","offset"}}}}) and the
 * platform answers on {@code .../download_reply} with a binary frame: the length of a JSON header
 * (2 bytes, big-endian), the header ({@code
 * {"id","code","data":{"fileLength","bSize","bOffset"}}}), the block, and the block's CRC-16/ARC (2
 * bytes, big-endian). One block is in flight at a time, so memory holds one block; a block that
 * does not arrive in the reply timeout, or arrives with a bad CRC, is asked for again (at most
 * {@link #BLOCK_ATTEMPTS} times). Works on any link, the EC600S's included.
 */
public final class MqttFileDownload {

    /** The block size asked for. */
    public static final int DEFAULT_BLOCK_SIZE = 4 * 1024;

    /** The largest block the platform serves. */
    public static final int MAX_BLOCK_SIZE = 128 * 1024;

    /** How often a block is asked for before the download fails. */
    public static final int BLOCK_ATTEMPTS = 3;

    private static final AtomicLong IDS = new AtomicLong();

    private MqttFileDownload() {}

    /** Downloads {@code firmware} over {@code device}'s link, block by block, then checks it. */
    static Flux<FirmwareChunk> of(AliyunDevice device, OtaFirmware firmware, int blockSize) {
        Objects.requireNonNull(firmware.streamId(), "streamId");
        long size = firmware.size();
        return Flux.defer(
                () -> {
                    FirmwareDigests digests = new FirmwareDigests();
                    long blocks = (size + blockSize - 1) / blockSize;
                    return Flux.range(0, (int) blocks)
                            .concatMap(
                                    i -> {
                                        long offset = (long) i * blockSize;
                                        int length = (int) Math.min(blockSize, size - offset);
                                        return block(device, firmware, offset, length)
                                                .retry(BLOCK_ATTEMPTS - 1);
                                    },
                                    0)
                            .doOnNext(c -> digests.update(c.bytes()))
                            .concatWith(digests.verify(size, firmware));
                });
    }

    private static Mono<FirmwareChunk> block(
            AliyunDevice device, OtaFirmware firmware, long offset, int length) {
        return Mono.defer(
                () -> {
                    String id = Long.toString(IDS.incrementAndGet());
                    Map<String, Object> params = new LinkedHashMap<>();
                    Map<String, Object> fileInfo = new LinkedHashMap<>();
                    fileInfo.put("streamId", firmware.streamId());
                    fileInfo.put("fileId", firmware.streamFileId());
                    Map<String, Object> fileBlock = new LinkedHashMap<>();
                    fileBlock.put("size", length);
                    fileBlock.put("offset", offset);
                    params.put("fileInfo", fileInfo);
                    params.put("fileBlock", fileBlock);
                    Map<String, Object> request = new LinkedHashMap<>();
                    request.put("id", id);
                    request.put("version", AlinkJson.VERSION);
                    request.put("params", params);
                    request.put("method", "thing.file.download");
                    String replyTopic = AlinkTopics.reply(device.topics().fileDownload());
                    Duration timeout = device.options().replyTimeout();
                    Sinks.One<Frame> reply = Sinks.one();
                    Disposable listening =
                            device.messages()
                                    .filter(m -> m.topic().equals(replyTopic))
                                    .mapNotNull(MqttFileDownload::frame)
                                    .filter(f -> id.equals(f.id()))
                                    .next()
                                    .subscribe(reply::tryEmitValue, reply::tryEmitError);
                    return device.publishUnanswered(
                                    device.topics().fileDownload(), AlinkJson.encodeValue(request))
                            .then(reply.asMono())
                            .timeout(
                                    timeout,
                                    Mono.error(
                                            () ->
                                                    new AlinkTimeoutException(
                                                            "thing.file.download", id, timeout)))
                            .doFinally(s -> listening.dispose())
                            .handle(
                                    (f, sink) -> {
                                        if (f.code() != AlinkReply.SUCCESS) {
                                            sink.error(
                                                    new AlinkException(
                                                            "file download refused with code "
                                                                    + f.code()));
                                        } else if (f.offset() != offset
                                                || f.block().length != length) {
                                            sink.error(
                                                    new AlinkException(
                                                            "file download answered another block"));
                                        } else if (!f.crcOk()) {
                                            sink.error(
                                                    new AlinkException(
                                                            "file download block failed its CRC"));
                                        } else {
                                            sink.next(
                                                    new FirmwareChunk(
                                                            offset, f.block(), firmware.size()));
                                        }
                                    });
                });
    }

    /** A decoded reply frame. */
    record Frame(String id, int code, long offset, byte[] block, boolean crcOk) {}

    /** The frame in a message, or {@code null} when it is none. */
    private static Frame frame(ThingMessage m) {
        byte[] p =
                m instanceof ThingMessage.UnknownMessage u
                        ? u.payload()
                        : null; // a binary frame never decodes as an Alink reply
        if (p == null || p.length < 2) {
            return null;
        }
        int headerLength = ((p[0] & 0xFF) << 8) | (p[1] & 0xFF);
        if (2 + headerLength > p.length) {
            return null;
        }
        byte[] header = new byte[headerLength];
        System.arraycopy(p, 2, header, 0, headerLength);
        Map<String, Object> h;
        try {
            h = AlinkJson.decodeObject(header, "file download header");
        } catch (RuntimeException e) {
            return null;
        }
        int code = h.get("code") instanceof Number n ? n.intValue() : -1;
        String id = AlinkJson.id(h, false);
        @SuppressWarnings("unchecked")
        Map<String, Object> data =
                h.get("data") instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of();
        long offset = data.get("bOffset") instanceof Number n ? n.longValue() : -1;
        int blockLength = p.length - 2 - headerLength - 2;
        if (code != AlinkReply.SUCCESS || blockLength < 0) {
            return new Frame(id, code, offset, new byte[0], false);
        }
        byte[] block = new byte[blockLength];
        System.arraycopy(p, 2 + headerLength, block, 0, blockLength);
        int crc = ((p[p.length - 2] & 0xFF) << 8) | (p[p.length - 1] & 0xFF);
        return new Frame(id, code, offset, block, crc == crc16(block, 0, blockLength));
    }

    /**
     * Encodes a reply frame: header length, {@code header} JSON, {@code block}, CRC-16/ARC of the
     * block (what the platform sends; the emulator uses it).
     */
    public static byte[] encodeFrame(
            byte[] header, byte[] block, int blockOffset, int blockLength) {
        ByteBuffer b = ByteBuffer.allocate(2 + header.length + blockLength + 2);
        b.putShort((short) header.length);
        b.put(header);
        b.put(block, blockOffset, blockLength);
        b.putShort((short) crc16(block, blockOffset, blockLength));
        return b.array();
    }

    /** CRC-16/ARC (IBM): polynomial 0x8005 reflected, initial value 0. */
    public static int crc16(byte[] bytes, int offset, int length) {
        int crc = 0;
        for (int i = offset; i < offset + length; i++) {
            crc ^= bytes[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        return crc & 0xFFFF;
    }

    /** The header JSON of a reply frame for block {@code offset}/{@code length}. */
    public static byte[] header(String id, int code, long fileLength, int length, long offset) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("fileLength", fileLength);
        data.put("bSize", length);
        data.put("bOffset", offset);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("id", id);
        h.put("code", code);
        h.put("data", data);
        h.put("msg", code == AlinkReply.SUCCESS ? "success" : "error");
        return AlinkJson.encodeValue(h);
    }
}
