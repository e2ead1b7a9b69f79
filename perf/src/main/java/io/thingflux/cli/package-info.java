/**
 * The {@code thingflux} command line (picocli): one class per subcommand ({@code device}, {@code
 * sub}, {@code pub}, {@code broker}, {@code ec600s-emulator}, ...) listed in {@link
 * io.thingflux.cli.ThingfluxCli}, each a thin layer over the library API. Options shared by several
 * commands are picocli mixins and argument groups ({@code ConnectionOptions}, {@code
 * ClientCredentialOptions}, {@code DeviceIdentityOptions}, the {@code DeviceConsole} that {@code
 * device} and {@code ec600s} share, {@code bench}'s {@code BenchOptions.Builder}) so they are
 * declared and documented once. Commands write data to stdout as JSON lines and logs to stderr.
 */
package io.thingflux.cli;
