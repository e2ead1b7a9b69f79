package io.thingflux.emulator.platform.internal;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

class TopicAclTest {

    static final String PK = "a1wFylTxYeD";
    static final String DN = "co_0001";

    @Test
    void aDeviceMayPublishToItsOwnTopics() {
        SoftAssertions softly = new SoftAssertions();
        for (String value :
                new String[] {
                    "/sys/a1wFylTxYeD/co_0001/thing/event/property/post",
                    "/sys/a1wFylTxYeD/co_0001/thing/service/property/set_reply",
                    "/sys/a1wFylTxYeD/co_0001/rrpc/response/123",
                    "/a1wFylTxYeD/co_0001/user/update",
                    "/a1wFylTxYeD/co_0001/user/a/b",
                    "/ext/rrpc/42/sys/a1wFylTxYeD/co_0001/thing/service/Start",
                    "/ext/rrpc/42/a1wFylTxYeD/co_0001/user/cmd",
                    "/ext/ntp/a1wFylTxYeD/co_0001/request",
                    "/ota/device/inform/a1wFylTxYeD/co_0001",
                    "/ota/device/progress/a1wFylTxYeD/co_0001",
                    "/shadow/update/a1wFylTxYeD/co_0001"
                }) {
            softly.assertThat(TopicAcl.mayPublish(PK, DN, value)).as(value).isTrue();
        }
        softly.assertAll();
    }

    @Test
    void aDeviceMayNotPublishElsewhere() {
        SoftAssertions softly = new SoftAssertions();
        for (String value :
                new String[] {
                    "/sys/a1wFylTxYeD/co_0002/thing/event/property/post",
                    "/sys/otherProduct/co_0001/thing/event/property/post",
                    "/sys/a1wFylTxYeD/co_0001",
                    "/a1wFylTxYeD/co_0001/get",
                    "/a1wFylTxYeD/co_0002/user/update",
                    "/ext/rrpc/42/sys/a1wFylTxYeD/co_0002/thing/service/Start",
                    "/ext/rrpc/42/ext/rrpc/43/sys/a1wFylTxYeD/co_0001/x",
                    "/ext/ntp/a1wFylTxYeD/co_0002/request",
                    "/ota/device/inform/a1wFylTxYeD/co_0002",
                    "/ota/device/inform/a1wFylTxYeD/co_0001/extra",
                    "/broadcast/a1wFylTxYeD/all",
                    "sys/a1wFylTxYeD/co_0001/thing/event/property/post",
                    "/other"
                }) {
            softly.assertThat(TopicAcl.mayPublish(PK, DN, value)).as(value).isFalse();
        }
        softly.assertAll();
    }

    @Test
    void aDeviceMaySubscribeToItsOwnTopicsAndItsProductsBroadcasts() {
        SoftAssertions softly = new SoftAssertions();
        for (String value :
                new String[] {
                    "/sys/a1wFylTxYeD/co_0001/thing/service/property/set",
                    "/sys/a1wFylTxYeD/co_0001/#",
                    "/sys/a1wFylTxYeD/co_0001/thing/service/+",
                    "/sys/a1wFylTxYeD/co_0001/rrpc/request/+",
                    "/ext/rrpc/+/sys/a1wFylTxYeD/co_0001/thing/service/+",
                    "/ext/rrpc/+/a1wFylTxYeD/co_0001/user/#",
                    "/a1wFylTxYeD/co_0001/user/#",
                    "/ext/ntp/a1wFylTxYeD/co_0001/response",
                    "/ota/device/upgrade/a1wFylTxYeD/co_0001",
                    "/ota/device/+/a1wFylTxYeD/co_0001",
                    "/shadow/get/a1wFylTxYeD/co_0001",
                    "/broadcast/a1wFylTxYeD/all",
                    "/broadcast/a1wFylTxYeD/#"
                }) {
            softly.assertThat(TopicAcl.maySubscribe(PK, DN, value)).as(value).isTrue();
        }
        softly.assertAll();
    }

    @Test
    void aDeviceMayNotSubscribeToFiltersReachingOtherDevices() {
        SoftAssertions softly = new SoftAssertions();
        for (String value :
                new String[] {
                    "#",
                    "/#",
                    "/sys/#",
                    "/sys/a1wFylTxYeD/#",
                    "/sys/a1wFylTxYeD/+/thing/service/property/set",
                    "/sys/+/co_0001/thing/service/property/set",
                    "/+/co_0001/user/x",
                    "/a1wFylTxYeD/+/user/x",
                    "/ext/rrpc/#",
                    "/ext/rrpc/+/#",
                    "/ext/rrpc/+/sys/a1wFylTxYeD/+/thing/service/+",
                    "/ext/ntp/a1wFylTxYeD/+/response",
                    "/ota/device/#",
                    "/ota/device/upgrade/a1wFylTxYeD/+",
                    "/shadow/get/+/co_0001",
                    "/broadcast/otherProduct/all",
                    "/broadcast/+/all",
                    "/broadcast/#"
                }) {
            softly.assertThat(TopicAcl.maySubscribe(PK, DN, value)).as(value).isFalse();
        }
        softly.assertAll();
    }
}
