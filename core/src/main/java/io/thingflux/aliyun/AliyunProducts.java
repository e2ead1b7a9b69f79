package io.thingflux.aliyun;

/**
 * A thingflux convenience for simulating many devices of one product without a devices file: the
 * secret of device {@code deviceName} is the first 32 characters of lowercase hex HMAC-SHA256(key =
 * product secret, message = device name). The emulator accepts such devices when given {@code
 * --product PK,PRODUCT_SECRET}, and {@code bench} derives them the same way. This is not something
 * the real platform does.
 */
public final class AliyunProducts {

    private AliyunProducts() {}

    /** The derived secret of {@code deviceName} under {@code productSecret}. */
    public static String deriveDeviceSecret(String productSecret, String deviceName) {
        return AliyunSigner.hmacHex(SignMethod.HMACSHA256, productSecret, deviceName)
                .substring(0, 32);
    }

    /** The derived identity of {@code deviceName} under the product. */
    public static AliyunDeviceIdentity deriveDevice(
            String productKey, String productSecret, String deviceName) {
        return new AliyunDeviceIdentity(
                productKey, deviceName, deriveDeviceSecret(productSecret, deviceName));
    }
}
