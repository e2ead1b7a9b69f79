package io.thingflux.emulator.ec600s;

import java.util.function.IntUnaryOperator;

/**
 * Where the emulated MQTT clients relay to: the factory of their {@link
 * io.thingflux.link.MqttLink}s, the broker every {@code AT+QMTOPEN} is redirected to, and the QoS
 * {@code +QMTSUB} reports as granted.
 */
record RelaySettings(
        MqttLinkFactory linkFactory,
        String brokerHost,
        int brokerPort,
        IntUnaryOperator grantedQos) {}
