/**
 * Reliability and security tests of the Netty transport as a whole (issue 9): network faults
 * injected between the client and a broker, abuse of the emulator broker, the security checklist,
 * and a soak run behind {@code -Dsoak=true}. Fast checks are {@code *Test} (surefire), slow ones
 * {@code *IT} (failsafe).
 */
package io.thingflux.netty.reliability;
