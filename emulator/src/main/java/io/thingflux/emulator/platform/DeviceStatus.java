package io.thingflux.emulator.platform;

/** A device's status as the platform's GetDeviceStatus action reports it. */
public enum DeviceStatus {
    /** Connected now. */
    ONLINE,
    /** Connected at least once since the emulator started, not connected now. */
    OFFLINE,
    /**
     * Known (configured, or of a configured product) but never connected since the emulator
     * started.
     */
    UNACTIVE,
    /** Disabled with the DisableThing action: its connections are refused. */
    DISABLE
}
