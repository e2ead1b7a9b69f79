/**
 * Aliyun (Alibaba Cloud) IoT Platform device identity and MQTT sign: the device triple, the HMAC
 * password, the clientId extension parameters and the endpoint hosts. Secrets never appear in a
 * {@code toString}, a log line or an exception message.
 */
package io.thingflux.aliyun;
