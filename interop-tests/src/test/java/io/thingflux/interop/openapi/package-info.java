/**
 * Cloud-side backends written with Aliyun's official OpenAPI SDKs (Java {@code
 * com.aliyun:iot20180120}, Node {@code @alicloud/iot20180120}) pointed at the emulator's OpenAPI,
 * driving a thingflux device.
 */
package io.thingflux.interop.openapi;
