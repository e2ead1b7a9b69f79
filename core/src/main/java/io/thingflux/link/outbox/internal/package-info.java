/** The file-backed outbox: segment log, record format, recovery and the interval syncer. */
package io.thingflux.link.outbox.internal;
