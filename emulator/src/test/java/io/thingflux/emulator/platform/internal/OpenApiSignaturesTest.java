package io.thingflux.emulator.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Known-answer tests of both signatures, from the platform's documented examples. */
class OpenApiSignaturesTest {

    /**
     * Signature version 1.0: the example of the RPC signature document (DescribeRegions, access key
     * {@code testid}/{@code testsecret}).
     */
    @Test
    void v1MatchesTheDocumentedExample() {
        Map<String, String> params =
                Map.of(
                        "Timestamp", "2016-02-23T12:46:24Z",
                        "Format", "XML",
                        "AccessKeyId", "testid",
                        "Action", "DescribeRegions",
                        "SignatureMethod", "HMAC-SHA1",
                        "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
                        "Version", "2014-05-26",
                        "SignatureVersion", "1.0");
        String stringToSign = OpenApiSignatures.v1StringToSign("GET", params);
        assertThat(stringToSign)
                .isEqualTo(
                        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
                                + "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
                                + "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
                                + "%26Version%3D2014-05-26");
        assertThat(OpenApiSignatures.v1Signature("testsecret", stringToSign))
                .isEqualTo("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    /**
     * V3: the example of the V3 signature document (RunInstances, access key {@code
     * YourAccessKeyId}/{@code YourAccessKeySecret}), which the Node SDK's {@code getAuthorization}
     * reproduces too.
     */
    @Test
    void v3MatchesTheDocumentedExample() {
        String emptyBody = OpenApiSignatures.sha256Hex(new byte[0]);
        assertThat(emptyBody)
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        Map<String, List<String>> headers =
                Map.of(
                        "host", List.of("ecs.cn-shanghai.aliyuncs.com"),
                        "x-acs-action", List.of("RunInstances"),
                        "x-acs-content-sha256", List.of(emptyBody),
                        "x-acs-date", List.of("2023-10-26T10:22:32Z"),
                        "x-acs-signature-nonce", List.of("3156853299f313e23d1673dc12e1703d"),
                        "x-acs-version", List.of("2014-05-26"));
        String canonical =
                OpenApiSignatures.v3CanonicalRequest(
                        "POST",
                        "/",
                        Map.of(
                                "ImageId",
                                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
                                "RegionId",
                                "cn-shanghai"),
                        headers,
                        List.of(
                                "host",
                                "x-acs-action",
                                "x-acs-content-sha256",
                                "x-acs-date",
                                "x-acs-signature-nonce",
                                "x-acs-version"),
                        emptyBody);
        assertThat(canonical)
                .isEqualTo(
                        "POST\n/\n"
                                + "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n"
                                + "host:ecs.cn-shanghai.aliyuncs.com\n"
                                + "x-acs-action:RunInstances\n"
                                + "x-acs-content-sha256:"
                                + emptyBody
                                + "\n"
                                + "x-acs-date:2023-10-26T10:22:32Z\n"
                                + "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n"
                                + "x-acs-version:2014-05-26\n\n"
                                + "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
                                + emptyBody);
        assertThat(
                        OpenApiSignatures.v3Signature(
                                "YourAccessKeySecret", OpenApiSignatures.v3StringToSign(canonical)))
                .isEqualTo("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
    }

    @Test
    void percentEncodingFollowsRfc3986() {
        assertThat(OpenApiSignatures.percentEncode("a b*c~d/é+"))
                .isEqualTo("a%20b%2Ac~d%2F%C3%A9%2B");
    }
}
