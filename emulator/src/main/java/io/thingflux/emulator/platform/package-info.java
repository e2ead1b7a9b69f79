/**
 * The embeddable Aliyun IoT Platform emulator: an MQTT 3.1/3.1.1 broker that checks the platform's
 * signed CONNECT, enforces its per-device topic ACL, answers Alink posts, keeps the latest reported
 * properties and serves the platform's OpenAPI (signed, as the official SDKs send it) on its admin
 * listener. With {@link io.thingflux.emulator.platform.AuthMode#NONE} it is a plain MQTT 3.1.1
 * broker for any client.
 *
 * <p>Start one with {@link
 * io.thingflux.emulator.platform.AliyunPlatformEmulator#start(EmulatorOptions)}; the CLI's {@code
 * thingflux broker} is a thin layer over it.
 *
 * <h2>As the platform (Aliyun mode)</h2>
 *
 * <ul>
 *   <li>CONNACK 0x04 for an unknown device, a malformed user name or a wrong signature; 0x02 for a
 *       malformed clientId, an unknown sign method, a secure mode other than 3 (TCP listener) or 2
 *       (TLS listener), or a keepalive outside 30..1200 s; 0x01 for a protocol level other than 3
 *       and 4.
 *   <li>{@code product(pk, productSecret)}: every device name is accepted whose secret is the first
 *       32 characters of lowercase hex HMAC-SHA256(key = product secret, message = device name).
 *       This is an emulator convenience for simulating many devices; the platform does not do it.
 *   <li>SUBACK grants QoS 1 for every allowed filter, 0x80 for a filter outside the device's
 *       topics; a message is delivered with the QoS it was published with. A PUBLISH outside the
 *       device's topics, or with QoS 2, closes the connection. Will and retain are ignored.
 *   <li>What a device publishes goes to the platform (Alink replies on {@code ..._reply}, the
 *       property store, NTP, RRPC and downlink-reply correlation, the recording, listeners) and to
 *       application identities subscribed to it, not to other devices. Replies and pushes reach a
 *       device through its subscriptions, as with the Link SDKs, which subscribe to the {@code
 *       _reply} topics.
 *   <li>A second connection of the same device closes the first.
 * </ul>
 *
 * <h2>Bounds</h2>
 *
 * <ul>
 *   <li>A persistent session (clean session 0) keeps its subscriptions and up to {@link
 *       io.thingflux.emulator.platform.EmulatorOptions#DEFAULT_OFFLINE_QUEUE_LIMIT} QoS 1 messages
 *       while its client is offline; beyond that the oldest is dropped and counted ({@link
 *       io.thingflux.emulator.platform.BrokerStats#offlineMessagesDropped()}). QoS 0 messages are
 *       not queued. Sessions do not expire: there is one per device (or client identifier) that
 *       used clean session 0.
 *   <li>Per connection, at most {@code maxInflight} unacknowledged QoS ≥ 1 messages; up to {@code
 *       pendingLimit} more wait (drop oldest); QoS 0 messages are dropped while the socket is not
 *       writable. Both drops are counted in {@link
 *       io.thingflux.emulator.platform.BrokerStats#slowConsumerDrops()}.
 *   <li>A session holds at most {@code maxSubscriptions} filters; further new filters get 0x80.
 *   <li>Frames above {@code maxPacketSize} close the connection before their body is buffered.
 *   <li>Per device, at most 1000 property identifiers, the last 1000 property values and 1000
 *       events (for the history queries) and the last 64 unclaimed downlink replies are kept.
 *   <li>At most 100 000 devices registered, deleted or disabled at run time, and 100 000 OpenAPI
 *       nonces (remembered 15 minutes; beyond the bound the oldest is forgotten early).
 *   <li>The recording queue holds {@link
 *       io.thingflux.emulator.platform.EmulatorOptions#DEFAULT_RECORD_QUEUE_LIMIT} publishes;
 *       beyond that publishes are not recorded and are counted.
 * </ul>
 *
 * <h2>Admin API and OpenAPI</h2>
 *
 * The admin listener ({@code adminPort}, and {@code adminTlsPort} for HTTPS) serves the platform's
 * OpenAPI (version 2018-01-20, RPC style) to backends written with Aliyun's official SDKs: {@code
 * Action}, {@code Version} and the common parameters in the query or a form body, signed with
 * signature version 1.0 or V3 by one of the configured {@code accessKeys}. Actions: RegisterDevice,
 * QueryDeviceDetail, QueryDevice, DeleteDevice, DisableThing, EnableThing, GetDeviceStatus,
 * BatchGetDeviceState, SetDeviceProperty, SetDevicesProperty, InvokeThingService (synchronous for
 * the configured {@code syncServices}), InvokeThingsService, QueryDevicePropertyStatus,
 * QueryDevicePropertyData, QueryDeviceEventData, Pub, PubBroadcast, RRpc. The same actions answer
 * the unsigned loopback form {@code POST /api/<Action>} with a JSON object (guarded by {@code
 * adminToken}). Every answer has {@code Success} and {@code RequestId}; failures add {@code Code},
 * {@code Message} and {@code ErrorMessage}: {@code SignatureDoesNotMatch}, {@code
 * SignatureNonceUsed}, {@code InvalidTimeStamp.Expired}, {@code MissingParameter}, {@code
 * InvalidParameter} (HTTP 400), {@code InvalidAccessKeyId.NotFound} and {@code InvalidApi.NotFound}
 * (404), {@code Unauthorized} (401), {@code iot.device.NotExistedDevice} and {@code
 * iot.device.DeviceOffline} (HTTP 200, as the platform answers business errors). RRpc answers
 * {@code RrpcCode} SUCCESS (with {@code PayloadBase64Byte}), TIMEOUT or OFFLINE. A disabled device
 * is refused with CONNACK 0x05.
 */
package io.thingflux.emulator.platform;
