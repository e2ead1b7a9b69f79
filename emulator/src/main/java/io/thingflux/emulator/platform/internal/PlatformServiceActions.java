package io.thingflux.emulator.platform.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thingflux.emulator.platform.EmulatorRequestException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The OpenAPI actions of the platform services, beside {@link OpenApiActions} in the same style:
 * device shadow ({@code UpdateDeviceShadow}, {@code GetDeviceShadow}), tags ({@code
 * SaveDeviceProp}, {@code QueryDeviceProp}, {@code DeleteDeviceProp}), desired properties ({@code
 * SetDeviceDesiredProperty}), OTA ({@code CreateOTAFirmware}, {@code CreateOTAStaticUpgradeJob},
 * {@code ListOTATaskByJob}, {@code QueryOTAFirmware} with the emulator's download counts) and the
 * emulator's own: {@code PublishProductConfig} (set a product's remote configuration and push it),
 * {@code QueryDeviceUpgradeStatus} (one device's OTA task) and {@code InjectOTADownloadFault} (cut
 * or corrupt the next downloads of a firmware).
 */
final class PlatformServiceActions {

    private final BrokerEngine engine;
    private final PlatformServicesResponder services;
    private final OtaService ota;

    PlatformServiceActions(BrokerEngine engine) {
        this.engine = engine;
        this.services = engine.platformServices();
        this.ota = services.ota();
    }

    /** Runs {@code action} if it is one of these; {@code null} when it is not. */
    Mono<ObjectNode> call(String action, OpenApiParams p, ObjectNode ok) {
        switch (action) {
            case "UpdateDeviceShadow" -> {
                String pk = p.required("ProductKey");
                String dn = p.required("DeviceName");
                engine.knownDeviceState(pk, dn);
                JsonNode msg = json(p.required("ShadowMessage"), "ShadowMessage");
                JsonNode desired = msg.path("state").get("desired");
                if (!msg.path("method").asText().equals("update")
                        || desired == null
                        || !msg.has("version")) {
                    throw OpenApiError.invalid(
                            "ShadowMessage",
                            "{\"method\":\"update\",\"state\":{\"desired\":..},\"version\":N}");
                }
                services.updateShadowDesired(pk, dn, desired, msg.get("version").asLong());
            }
            case "GetDeviceShadow" -> {
                String pk = p.required("ProductKey");
                String dn = p.required("DeviceName");
                engine.knownDeviceState(pk, dn);
                ok.put("ShadowMessage", EmulatorJson.text(services.shadow(pk, dn)));
            }
            case "SaveDeviceProp" -> {
                String pk = p.required("ProductKey");
                String dn = p.required("DeviceName");
                engine.knownDeviceState(pk, dn);
                JsonNode props = json(p.required("Props"), "Props");
                Map<String, String> tags = new LinkedHashMap<>();
                props.properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
                if (!services.saveTags(pk, dn, tags)) {
                    throw OpenApiError.invalid("Props", "keys 2..32 [A-Za-z0-9_], values 1..128");
                }
            }
            case "QueryDeviceProp" -> {
                String pk = p.required("ProductKey");
                String dn = p.required("DeviceName");
                engine.knownDeviceState(pk, dn);
                ObjectNode props = EmulatorJson.object();
                services.tags(pk, dn).forEach(props::put);
                ok.put("Props", EmulatorJson.text(props));
            }
            case "DeleteDeviceProp" -> {
                String pk = p.required("ProductKey");
                String dn = p.required("DeviceName");
                engine.knownDeviceState(pk, dn);
                services.deleteTags(pk, dn, List.of(p.required("PropKey").split(",")));
            }
            case "SetDeviceDesiredProperty" -> {
                String pk = p.required("ProductKey");
                String dn = p.required("DeviceName");
                engine.knownDeviceState(pk, dn);
                services.setDesired(pk, dn, json(p.required("Items"), "Items"));
            }
            case "PublishProductConfig" -> {
                String pk = p.required("ProductKey");
                byte[] content;
                if (p.optional("ContentBase64") != null) {
                    content = Base64.getDecoder().decode(p.required("ContentBase64"));
                } else {
                    content = p.required("Content").getBytes(StandardCharsets.UTF_8);
                }
                List<String> devices = p.list("DeviceName");
                if (devices.isEmpty()) {
                    devices = onlineDevices(pk);
                }
                String id = services.setConfig(pk, content, p.booleanParam("Push", true), devices);
                ok.putObject("Data").put("ConfigId", id);
            }
            case "CreateOTAFirmware" -> {
                String pk = p.required("ProductKey");
                String version = p.required("DestVersion");
                String base64 = p.optional("FirmwareBase64");
                String path = p.optional("FirmwarePath");
                if ((base64 == null) == (path == null)) {
                    throw OpenApiError.missing("FirmwareBase64 or FirmwarePath");
                }
                String sign = p.optional("SignMethod");
                if (sign != null && !sign.equals("MD5") && !sign.equals("SHA256")) {
                    throw OpenApiError.invalid("SignMethod", "MD5 or SHA256");
                }
                OtaService.Firmware f =
                        ota.createFirmware(
                                pk,
                                version,
                                p.optional("ModuleName"),
                                sign,
                                base64 == null ? null : Base64.getDecoder().decode(base64),
                                path == null ? null : Path.of(path));
                ObjectNode data = ok.putObject("Data");
                data.put("FirmwareId", f.id());
                data.put("Size", f.size());
                data.put("Md5", f.md5());
            }
            case "CreateOTAStaticUpgradeJob" -> {
                String firmwareId = p.required("FirmwareId");
                List<String> devices = new ArrayList<>(p.list("TargetDeviceName"));
                String more = p.optional("TargetDeviceNameList");
                if (more != null) {
                    devices.addAll(Arrays.asList(more.split(",")));
                }
                if (devices.isEmpty()) {
                    throw OpenApiError.missing("TargetDeviceName.1");
                }
                String protocol = p.optional("DownloadProtocol");
                if (protocol != null && !protocol.equals("HTTPS") && !protocol.equals("MQTT")) {
                    throw OpenApiError.invalid("DownloadProtocol", "HTTPS or MQTT");
                }
                ok.putObject("Data")
                        .put("JobId", ota.createJob(firmwareId, devices, "MQTT".equals(protocol)));
            }
            case "QueryOTAFirmware" -> {
                OtaService.Firmware f = ota.firmware(p.required("FirmwareId"));
                long[] d = ota.downloads(f.id());
                ObjectNode data = ok.putObject("Data");
                data.put("FirmwareId", f.id());
                data.put("DestVersion", f.version());
                data.put("FirmwareSize", f.size());
                data.put("Md5", f.md5());
                data.put("SignMethod", f.signMethod());
                data.put("Downloads", d[0]); // the emulator's own: HTTP downloads served
                data.put("ResumedDownloads", d[1]); // of them, with a Range from past byte 0
            }
            case "ListOTATaskByJob" -> {
                List<Map<String, Object>> tasks = ota.tasks(p.required("JobId"));
                ObjectNode data = ok.putObject("Data");
                ok.put("Total", tasks.size());
                ArrayNode list = data.putArray("SimpleOTATaskInfo");
                tasks.forEach(t -> list.add(EmulatorJson.object().setAll(toJson(t))));
            }
            case "QueryDeviceUpgradeStatus" -> {
                String pk = p.required("ProductKey");
                String dn = p.required("DeviceName");
                String module = p.optional("ModuleName");
                Map<String, Object> task = ota.task(pk, dn, module == null ? "default" : module);
                if (task == null) {
                    throw new EmulatorRequestException(
                            "iot.ota.TaskNotExist", "no upgrade task for " + pk + "/" + dn);
                }
                ok.set("Data", toJson(task));
            }
            case "InjectOTADownloadFault" -> {
                String fault = p.required("Fault");
                if (!fault.equals("cut") && !fault.equals("corrupt") && !fault.equals("none")) {
                    throw OpenApiError.invalid("Fault", "cut, corrupt or none");
                }
                double at;
                try {
                    at = Double.parseDouble(p.optional("At") == null ? "0.5" : p.optional("At"));
                } catch (NumberFormatException e) {
                    throw OpenApiError.invalid("At", "a fraction 0..1");
                }
                ota.injectFault(
                        p.required("FirmwareId"), fault, at, p.intParam("Times", 1, 1, 1_000_000));
            }
            default -> {
                return null;
            }
        }
        return Mono.just(ok);
    }

    private List<String> onlineDevices(String pk) {
        List<String> out = new ArrayList<>();
        for (String dn : engine.deviceNames(pk)) {
            if (engine.isOnline(pk, dn)) {
                out.add(dn);
            }
        }
        return out;
    }

    private static ObjectNode toJson(Map<String, Object> m) {
        ObjectNode o = EmulatorJson.object();
        m.forEach((k, v) -> o.put(k, String.valueOf(v)));
        return o;
    }

    private static JsonNode json(String text, String what) {
        JsonNode node = EmulatorJson.readObject(text.getBytes(StandardCharsets.UTF_8));
        if (node == null) {
            throw OpenApiError.invalid(what, "a JSON object");
        }
        return node;
    }
}
