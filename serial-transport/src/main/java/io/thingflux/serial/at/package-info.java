/**
 * The AT command engine: a byte transport seam (jSerialComm or in-memory), a framer that cuts the
 * module's output into lines, {@code > } prompts and length-counted payloads, and {@link
 * io.thingflux.serial.at.AtChannel}, which keeps exactly one command in flight and routes
 * unsolicited result codes to a hot {@code Flux}.
 */
package io.thingflux.serial.at;
