package io.thingflux.emulator.platform;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.thingflux.aliyun.AliyunDeviceIdentity;
import io.thingflux.aliyun.AliyunSigner;
import io.thingflux.aliyun.MqttCredentials;
import io.thingflux.mqtt.ConnAck;
import io.thingflux.mqtt.Connect;
import io.thingflux.mqtt.MqttPacket;
import io.thingflux.netty.codec.MqttDecoder;
import io.thingflux.netty.codec.MqttEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A scripted MQTT peer on a plain blocking socket, for driving the broker byte for byte: it writes
 * raw frames or packets encoded by the project's encoder and reads whole frames back (decoded by
 * the project's decoder when asked). Every read waits at most {@link #TIMEOUT_MILLIS}.
 */
public final class TestSocket implements AutoCloseable {

    static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    TestSocket(InetSocketAddress address) {
        try {
            socket = new Socket(address.getAddress(), address.getPort());
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connects device {@code device} (sha256 signature, secure mode 3) and expects CONNACK 0. */
    static TestSocket device(
            InetSocketAddress address, AliyunDeviceIdentity device, boolean cleanSession) {
        TestSocket s = new TestSocket(address);
        s.send(connect(device, cleanSession, 60));
        MqttPacket p = s.read();
        if (!(p instanceof ConnAck a) || a.returnCode().code() != 0) {
            s.close();
            throw new AssertionError("expected CONNACK 0, got " + p);
        }
        return s;
    }

    public static Connect connect(
            AliyunDeviceIdentity device, boolean cleanSession, int keepAlive) {
        MqttCredentials c = AliyunSigner.defaults().sign(device);
        return new Connect(
                Connect.MQTT_3_1_1,
                c.clientId(),
                cleanSession,
                keepAlive,
                null,
                c.username(),
                c.password().getBytes(StandardCharsets.UTF_8));
    }

    void sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(MqttPacket packet) {
        ByteBuf buf = MqttEncoder.encode(UnpooledByteBufAllocator.DEFAULT, packet);
        try {
            sendRaw(ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }

    /** The next whole frame's bytes. */
    byte[] readFrame() {
        try {
            DataInputStream data = new DataInputStream(in);
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            int first = in.read();
            if (first < 0) {
                throw new EOFException("connection closed by the broker");
            }
            frame.write(first);
            int remaining = 0;
            int multiplier = 1;
            int b;
            do {
                b = in.read();
                if (b < 0) {
                    throw new EOFException("closed inside a fixed header");
                }
                frame.write(b);
                remaining += (b & 0x7F) * multiplier;
                multiplier <<= 7;
            } while ((b & 0x80) != 0);
            byte[] body = new byte[remaining];
            data.readFully(body);
            frame.write(body);
            return frame.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next packet, decoded by the project's decoder. */
    MqttPacket read() {
        EmbeddedChannel decoder =
                new EmbeddedChannel(new MqttDecoder(MqttDecoder.PROTOCOL_MAX_PACKET_SIZE));
        try {
            decoder.writeInbound(Unpooled.wrappedBuffer(readFrame()));
            return decoder.readInbound();
        } finally {
            decoder.finishAndReleaseAll();
        }
    }

    /** Whether nothing arrives within {@code millis}, the connection staying open. */
    boolean quietFor(int millis) {
        try {
            socket.setSoTimeout(millis);
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError(
                        "expected nothing, got a frame starting with 0x" + Integer.toHexString(b));
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            try {
                socket.setSoTimeout(TIMEOUT_MILLIS);
            } catch (IOException ignored) {
                // closed
            }
        }
    }

    /**
     * Whether the broker closes the connection (end of stream or reset) within the read timeout,
     * skipping frames.
     */
    boolean awaitClosed() {
        try {
            byte[] skip = new byte[4096];
            while (in.read(skip) >= 0) {
                // frames before the close are not of interest here
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
