package io.thingflux.alink;

import io.thingflux.aliyun.AliyunDeviceIdentity;

/**
 * What a {@link DynamicRegistration} obtained. Secrets and tokens never appear in {@code toString}.
 */
public sealed interface RegistrationResult {

    String productKey();

    String deviceName();

    /** {@code authType=register}: the device secret, pushed on {@code /ext/register}. */
    record DeviceSecret(String productKey, String deviceName, String deviceSecret)
            implements RegistrationResult {

        /** The triple to connect with from now on. */
        public AliyunDeviceIdentity identity() {
            return new AliyunDeviceIdentity(productKey, deviceName, deviceSecret);
        }

        @Override
        public String toString() {
            return "DeviceSecret[" + productKey + "/" + deviceName + ", deviceSecret=<redacted>]";
        }
    }

    /**
     * {@code authType=regnwl}: a token to connect with ({@code
     * clientId|securemode=-2,authType=connwl|}, password = token), pushed on {@code /ext/regnwl}.
     */
    record DeviceToken(String productKey, String deviceName, String clientId, String deviceToken)
            implements RegistrationResult {

        @Override
        public String toString() {
            return "DeviceToken["
                    + productKey
                    + "/"
                    + deviceName
                    + ", clientId="
                    + clientId
                    + ", deviceToken=<redacted>]";
        }
    }
}
