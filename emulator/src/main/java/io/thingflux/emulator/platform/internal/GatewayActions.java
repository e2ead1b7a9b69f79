package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.emulator.platform.DeviceStatus;
import io.thingflux.emulator.platform.EmulatorRequestException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The OpenAPI actions about gateways ({@code GetThingTopo}, {@code NotifyAddThingTopo}, {@code
 * RemoveThingTopo}), each filling the success body with the platform's result shape.
 */
final class GatewayActions {

    /** The most items one page of GetThingTopo returns, as the platform allows. */
    static final int MAX_TOPO_PAGE = 50;

    private GatewayActions() {}

    /**
     * GetThingTopo: the gateway's sub-devices, a page at a time ({@code PageSize}, {@code PageNo}).
     */
    static void getThingTopo(
            BrokerEngine engine, String pk, String dn, OpenApiParams p, ObjectNode ok) {
        engine.knownDeviceState(pk, dn);
        int pageSize = p.intParam("PageSize", 10, 1, MAX_TOPO_PAGE);
        int page = p.intParam("PageNo", 1, 1, Integer.MAX_VALUE);
        List<String> subs = engine.gateways().topology(GatewaySessions.key(pk, dn));
        int from = (int) Math.min((long) (page - 1) * pageSize, subs.size());
        List<String> slice = subs.subList(from, Math.min(from + pageSize, subs.size()));
        ObjectNode data = ok.putObject("Data");
        data.put("Total", subs.size());
        data.put("PageSize", pageSize);
        data.put("CurrentPage", page);
        data.put("PageCount", (subs.size() + pageSize - 1) / pageSize);
        ArrayNode list = data.putObject("List").putArray("deviceInfo");
        for (String k : slice) {
            int slash = k.indexOf('/');
            String subPk = k.substring(0, slash);
            String subDn = k.substring(slash + 1);
            list.addObject()
                    .put("IotId", engine.directory().iotId(subPk, subDn))
                    .put("ProductKey", subPk)
                    .put("DeviceName", subDn);
        }
    }

    /**
     * NotifyAddThingTopo: sends the gateway {@code thing.topo.add.notify} with {@code
     * DeviceListStr} ({@code [{"productKey","deviceName"}]}); the gateway must be online.
     */
    static void notifyAddThingTopo(
            BrokerEngine engine, String gwPk, String gwDn, String deviceListStr, ObjectNode ok) {
        if (engine.deviceStatus(gwPk, gwDn) != DeviceStatus.ONLINE) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.DEVICE_OFFLINE,
                    "gateway " + gwPk + "/" + gwDn + " is not online");
        }
        JsonNode devices = EmulatorJson.readAny(deviceListStr.getBytes(StandardCharsets.UTF_8));
        if (devices == null) {
            throw new EmulatorRequestException(
                    EmulatorRequestException.INVALID_PARAMETER, "DeviceListStr is not JSON");
        }
        String id = engine.gateways().notifyAdd(GatewaySessions.key(gwPk, gwDn), devices);
        ok.putObject("Data").put("MessageId", id);
    }

    /** RemoveThingTopo: takes the sub-device out of its gateway's topology. */
    static void removeThingTopo(BrokerEngine engine, String pk, String dn, ObjectNode ok) {
        engine.knownDeviceState(pk, dn);
        ok.put("Data", engine.gateways().remove(GatewaySessions.key(pk, dn)));
    }
}
