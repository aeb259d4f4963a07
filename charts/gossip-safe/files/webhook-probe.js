// helm test probe (templates/tests/webhook-probe.yaml): run with `node -e`. PROBE_URL is the
// webhook Service's base URL, PROBE_CA_FILE the CA that signed its certificate. Exit 0 when
// /readyz answers 200 and /mutate allows a plain pod, echoing its uid; else 1 with one line.
const https = require('node:https');
const ca = require('node:fs').readFileSync(process.env.PROBE_CA_FILE, 'utf8');
const base = new URL(process.env.PROBE_URL);
const fail = (msg) => { console.error(`gossip-safe probe: ${msg}`); process.exit(1); };
function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, base), { method, ca, timeout: 10000, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { if (text.length < 1e6) text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}
(async () => {
  const ready = await call('GET', '/readyz');
  if (ready.status !== 200) fail(`GET /readyz answered ${ready.status}`);
  const uid = `helm-test-${Date.now()}`;
  const review = {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'default', operation: 'CREATE', userInfo: { username: 'helm-test' },
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } },
    },
  };
  const res = await call('POST', '/mutate', JSON.stringify(review));
  let answer;
  try { answer = JSON.parse(res.text).response; } catch { fail(`POST /mutate answered ${res.status} with no AdmissionReview`); }
  if (res.status !== 200 || answer?.uid !== uid || answer.allowed !== true) fail(`POST /mutate answered ${res.status}: ${res.text.slice(0, 200)}`);
  console.log(`gossip-safe probe: ${base.host} is ready and answered a review`);
})().catch((e) => fail(e.message));
