// A cloud backend written with Aliyun's official OpenAPI SDK for Node, pointed at the thingflux
// emulator. NodeOpenApiSdkIT runs it: it prints one JSON line per step and waits for the test's
// "connected" and "reported" lines on stdin where the device must act.
// Arguments: endpoint (host:port) accessKeyId accessKeySecret productKey deviceName [signatureAlgorithm]
const Iot = require('@alicloud/iot20180120');
const OpenApi = require('@alicloud/openapi-client');
const readline = require('readline');

const [endpoint, accessKeyId, accessKeySecret, productKey, deviceName, signatureAlgorithm] =
  process.argv.slice(2);

function client(secret) {
  const config = new OpenApi.Config({
    accessKeyId,
    accessKeySecret: secret,
    endpoint,
    protocol: 'http',
    regionId: 'cn-shanghai',
  });
  if (signatureAlgorithm) {
    config.signatureAlgorithm = signatureAlgorithm; // "v2": signature version 1.0
  }
  return new Iot.default(config);
}

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function waitFor(word) {
  const { value } = await lines.next();
  if (!value || value.trim() !== word) {
    throw new Error(`expected ${word} on stdin, got ${value}`);
  }
}
const out = (o) => console.log(JSON.stringify(o));
const check = (ok, what) => {
  if (!ok) throw new Error(`check failed: ${what}`);
};

(async () => {
  const iot = client(accessKeySecret);
  const device = { productKey, deviceName };

  const reg = await iot.registerDevice(new Iot.RegisterDeviceRequest(device));
  check(reg.body.success, 'RegisterDevice');
  out({ step: 'registered', secret: reg.body.data.deviceSecret, iotId: reg.body.data.iotId });
  await waitFor('connected');

  const status = await iot.getDeviceStatus(new Iot.GetDeviceStatusRequest(device));
  check(status.body.data.status === 'ONLINE', `status ${JSON.stringify(status.body)}`);

  const set = await iot.setDeviceProperty(
    new Iot.SetDevicePropertyRequest({ ...device, items: JSON.stringify({ Light: 1 }) }));
  check(set.body.success, 'SetDeviceProperty');
  out({ step: 'set', messageId: set.body.data.messageId });
  await waitFor('reported');

  const invoked = await iot.invokeThingService(new Iot.InvokeThingServiceRequest({
    ...device, identifier: 'Sum', args: JSON.stringify({ a: 1, b: 2 }) }));
  check(invoked.body.success, `InvokeThingService ${JSON.stringify(invoked.body)}`);

  const latest = await iot.queryDevicePropertyStatus(
    new Iot.QueryDevicePropertyStatusRequest(device));
  const history = await iot.queryDevicePropertyData(new Iot.QueryDevicePropertyDataRequest({
    ...device, identifier: 'Light', startTime: Date.now() - 600000, endTime: Date.now() + 600000,
    pageSize: 10, asc: 1 }));
  out({
    step: 'queried',
    result: invoked.body.data.result,
    latest: latest.body.data.list.propertyStatusInfo.map((p) => `${p.identifier}=${p.value}`),
    history: history.body.data.list.propertyInfo.map((p) => p.value),
  });

  let refused = null;
  try {
    await client('not-the-secret').getDeviceStatus(new Iot.GetDeviceStatusRequest(device));
  } catch (e) {
    refused = e.code;
  }
  out({ step: 'done', refused });
  process.exit(0);
})().catch((e) => {
  out({ step: 'error', message: String((e && e.message) || e), code: e && e.code });
  process.exit(1);
});
