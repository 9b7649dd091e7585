import { afterEach, describe, expect, it } from 'vitest';
import { fixture, issueView, readChunks, readFile, tempDir, view } from './helpers.js';

let tmp = tempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = tempDir();
});

type Obj = Record<string, unknown>;
const vals = (c: { records: Array<{ value: unknown }> }): Obj[] => c.records.map((r) => r.value as Obj);

describe('JSON arrays and documents', () => {
  it('streams the elements of a top-level array, each with the line of its opening brace', async () => {
    const text = '[\n  {"a":1},\n  {"a":2,\n   "b":[1,2]},\n\n  {"a":3}\n]\n';
    const c = await readFile(tmp.file('arr.json', text));
    expect(view(c)).toEqual([
      { v: { a: 1 }, line: 2 },
      { v: { a: 2, b: [1, 2] }, line: 3 },
      { v: { a: 3 }, line: 6 },
    ]);
    expect(c.stats.container).toBe('json-array');
    expect(c.issues).toEqual([]);
  });

  it('reads a one-line array, scalars included', async () => {
    const c = await readFile(tmp.file('one.json', '[{"a":1},"x",2,true,null,{"b":"]}"}]'));
    expect(c.records.map((r) => r.value)).toEqual([{ a: 1 }, 'x', 2, true, null, { b: ']}' }]);
    expect(c.records.every((r) => r.source.line === 1)).toBe(true);
  });

  it('reports a bad element and keeps the others', async () => {
    const text = '[\n{"a":1},\n{"a":2,},\n{"a":3}\n]';
    const c = await readFile(tmp.file('bad-el.json', text));
    expect(vals(c)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(issueView(c)).toEqual([{ kind: 'malformed-json', line: 3 }]);
  });

  it('reports a truncated array and keeps the complete elements', async () => {
    const c = await readFile(tmp.file('trunc.json', '[\n{"a":1},\n{"a":2},\n{"a":'));
    expect(vals(c)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(issueView(c)).toEqual([{ kind: 'malformed-json', line: 4 }]);
    const d = await readFile(tmp.file('trunc2.json', '[\n{"a":1},\n{"a":2}\n'));
    expect(vals(d)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(issueView(d)).toEqual([{ kind: 'malformed-json', line: 1 }]);
  });

  it('reads a sequence of pretty-printed documents', async () => {
    const doc = (n: number): string => JSON.stringify({ n, nested: { list: [1, 2, { deep: 'x' }] } }, null, 2);
    const text = `${doc(1)}\n${doc(2)}\n\n${doc(3)}`;
    const c = await readFile(tmp.file('pretty.json', text));
    expect(vals(c).map((v) => v.n)).toEqual([1, 2, 3]);
    const lines = doc(1).split('\n').length;
    expect(c.records.map((r) => r.source.line)).toEqual([1, 1 + lines, 2 + 2 * lines]);
    expect(c.stats.container).toBe('json-document');
  });

  it('reads concatenated documents on one line (Firehose style)', async () => {
    const c = await readFile(tmp.file('concat.json', '{"a":1}{"a":2} {"a":3}\n{"a":4}\n'));
    expect(c.records.map((r) => [r.value, r.source.line])).toEqual([
      [{ a: 1 }, 1],
      [{ a: 2 }, 1],
      [{ a: 3 }, 1],
      [{ a: 4 }, 2],
    ]);
  });

  it('reports junk between documents and resumes on the next line', async () => {
    const text = '{\n  "a": 1\n}\nsome text here\n}\n{\n  "a": 2\n}\n';
    const c = await readFile(tmp.file('junk.json', text));
    expect(vals(c)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(issueView(c)).toEqual([
      { kind: 'not-json', line: 4 },
      { kind: 'malformed-json', line: 5 },
    ]);
  });

  it('applies maxLineBytes and maxDepth to elements and documents', async () => {
    const big = `{"big":"${'q'.repeat(3000)}"}`;
    const deep = `${'['.repeat(20)}${']'.repeat(20)}`;
    const c = await readFile(tmp.file('lim.json', `[\n{"a":1},\n${big},\n${deep},\n{"a":2}\n]`), { maxLineBytes: 1000, maxDepth: 8 });
    expect(vals(c)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(issueView(c)).toEqual([
      { kind: 'line-too-long', line: 3 },
      { kind: 'too-deep', line: 4 },
    ]);
    const d = await readFile(tmp.file('lim2.json', `{\n"x": ${JSON.stringify('w'.repeat(3000))}\n}\n{"ok":1}\n`), { maxLineBytes: 1000 });
    expect(vals(d)).toEqual([{ ok: 1 }]);
    expect(issueView(d)).toEqual([{ kind: 'line-too-long', line: 1 }]);
  });

  it('decodes multi-byte characters and reports invalid UTF-8 inside elements', async () => {
    const bad = Buffer.concat([Buffer.from('[\n{"u":"é"},\n{"u":"'), Buffer.from([0xff]), Buffer.from('"}\n]')]);
    const c = await readFile(tmp.file('u.json', bad));
    expect(vals(c)).toEqual([{ u: 'é' }, { u: '\ufffd' }]);
    expect(issueView(c)).toEqual([{ kind: 'invalid-utf8', line: 3 }]);
  });
});

describe('envelopes', () => {
  it('CloudTrail {"Records":[…]} (pretty-printed): one record per element, line of each element', async () => {
    const text = fixture('cloudtrail-records.json');
    const c = await readFile(tmp.file('ct.json', text));
    expect(c.stats.container).toBe('cloudtrail-records');
    expect(vals(c).map((v) => v.eventName)).toEqual(['GetObject', 'ListUsers', 'AssumeRole']);
    const starts = text.split('\n').flatMap((l, i) => (l === '    {' ? [i + 1] : []));
    expect(c.records.map((r) => r.source.line)).toEqual(starts);
    expect(c.records.every((r) => r.envelope === 'cloudtrail-records')).toBe(true);
    expect(c.issues).toEqual([]);
  });

  it('CloudTrail on one line (as S3 delivers it) and an empty Records array', async () => {
    const one = JSON.stringify(JSON.parse(fixture('cloudtrail-records.json')));
    const c = await readFile(tmp.file('ct1.json', one));
    expect(vals(c).map((v) => v.eventID)).toEqual(['e1', 'e2', 'e3']);
    expect(c.stats.container).toBe('cloudtrail-records');
    const e = await readFile(tmp.file('ct0.json', '{"Records":[]}'));
    expect(e.records).toEqual([]);
    expect(e.issues).toEqual([]);
    expect(e.stats.container).toBe('cloudtrail-records');
  });

  it('CloudTrail lookup-events output {"Events":[{…, CloudTrailEvent}]}: one record per event; an "Events" array of anything else is no envelope', async () => {
    const c = await readFile(tmp.file('lookup.json', fixture('cloudtrail-lookup-events.json')));
    expect(c.stats.container).toBe('cloudtrail-records');
    expect(vals(c).map((v) => v.EventName)).toEqual(['GetObject', 'ListUsers', 'AssumeRole']);
    expect(c.issues).toEqual([]);
    const other = await readFile(tmp.file('events.json', '{"Events":[{"name":"launch"}]}\n'));
    expect(other.records.map((r) => r.envelope)).toEqual([undefined]);
  });

  it('Azure {"records":[…]}', async () => {
    const c = await readFile(tmp.file('az.json', fixture('azure-records.json')));
    expect(c.stats.container).toBe('azure-records');
    expect(view(c).map((r) => [r.line, r.env, (r.v as Obj).durationMs])).toEqual([
      [2, 'azure-records', 42],
      [3, 'azure-records', 7],
    ]);
  });

  it('CloudWatch subscription {"logEvents":[…]}: parsed messages, text messages kept as the event', async () => {
    const c = await readFile(tmp.file('cw.json', fixture('cloudwatch-subscription.json')));
    expect(c.stats.container).toBe('cloudwatch-events');
    expect(vals(c)[0]).toMatchObject({ requestId: 'r-1', httpMethod: 'GET', status: '200' });
    expect(vals(c)[1]).toMatchObject({ requestId: 'r-2', status: '401' });
    expect(vals(c)[2]).toMatchObject({ id: '3', message: 'START RequestId: 0f1e plain text line' });
    expect(c.records[0]?.envelopeFields).toEqual({
      timestamp: 1714557600000,
      logGroup: 'API-Gateway-Execution-Logs_abc/prod',
      logStream: 'stream-1',
    });
    expect(c.records.every((r) => r.envelope === 'cloudwatch-events')).toBe(true);
  });

  it('CloudWatch filter-log-events {"events":[…]}', async () => {
    const c = await readFile(tmp.file('cwf.json', fixture('cloudwatch-filter-log-events.json')));
    expect(c.stats.container).toBe('cloudwatch-events');
    expect(vals(c).map((v) => v.requestId)).toEqual(['r-10', 'r-11']);
    expect(c.records.map((r) => r.source.line)).toEqual([3, 10]);
    expect(c.records[1]?.envelopeFields).toEqual({ timestamp: 1714557600100, logStream: 'stream-a' });
  });

  it('skips CloudWatch CONTROL_MESSAGE health checks', async () => {
    const ctl = '{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}';
    const c = await readFile(tmp.file('ctl.json', `${ctl}\n`));
    expect(c.records).toEqual([]);
    const pretty = await readFile(tmp.file('ctl2.json', JSON.stringify(JSON.parse(ctl), null, 2)));
    expect(pretty.records).toEqual([]);
  });

  it('a plain record with an "events" or "records" field is not an envelope', async () => {
    const recs = ['{"user":"a","events":["login","logout"]}', '{"user":"b","records":[1,2]}', '{"user":"c","events":[]}', '{"user":"d","events":[{"type":"x"}]}'];
    const c = await readFile(tmp.file('plain.ndjson', `${recs.join('\n')}\n`));
    expect(vals(c).map((v) => v.user)).toEqual(['a', 'b', 'c', 'd']);
    expect(c.stats.container).toBe('ndjson');
    const pretty = recs.map((r) => JSON.stringify(JSON.parse(r), null, 2)).join('\n');
    const d = await readFile(tmp.file('plain.json', pretty));
    expect(vals(d).map((v) => v.user)).toEqual(['a', 'b', 'c', 'd']);
    expect(d.stats.container).toBe('json-document');
  });

  it('OTLP logs: one flat object per log record with unwrapped attributes and resource', async () => {
    const c = await readFile(tmp.file('otlp.json', fixture('otlp-logs.json')));
    expect(c.stats.container).toBe('otlp-logs');
    expect(c.records).toHaveLength(3);
    expect(c.records.every((r) => r.envelope === 'otlp-logs')).toBe(true);
    expect(vals(c)[0]).toEqual({
      timeUnixNano: '1714557600000000000',
      observedTimeUnixNano: '1714557600001000000',
      severityText: 'INFO',
      severityNumber: 9,
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      body: 'GET /payments/42 200',
      attributes: {
        'http.request.method': 'GET',
        'url.path': '/payments/42',
        'http.response.status_code': 200,
        'client.address': '203.0.113.30',
        'http.server.request.duration': 0.012,
        'user.roles': ['admin', 'user'],
        tls: true,
        peer: { port: 443 },
      },
      resource: { 'service.name': 'payment-service', 'service.instance.id': 'pod-7' },
      scope: 'io.opentelemetry.http',
    });
    expect(vals(c)[1]?.body).toEqual({ msg: 'denied' });
    expect(vals(c)[2]).toMatchObject({ resource: { 'service.name': 'auth-service' }, attributes: { 'user.id': 'mallory' } });
    // line of the ResourceLogs element the record came from
    const lines = fixture('otlp-logs.json').split('\n');
    const second = lines.findIndex((l) => l.includes('auth-service'));
    expect(lines[second - 1]).toBe('    {');
    expect(c.records.map((r) => r.source.line)).toEqual([3, 3, second]);
  });

  it('OTLP spans', async () => {
    const c = await readFile(tmp.file('spans.json', fixture('otlp-spans.json')));
    expect(c.stats.container).toBe('otlp-spans');
    expect(vals(c)[0]).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      name: 'GET /orders/{id}',
      kind: 2,
      startTimeUnixNano: '1714557600000000000',
      endTimeUnixNano: '1714557600025000000',
      status: { code: 1 },
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/{id}',
        'url.path': '/orders/77',
        'http.response.status_code': 200,
        'enduser.id': 'u42',
      },
      resource: { 'service.name': 'orders-api' },
      scope: '@opentelemetry/instrumentation-http',
    });
    expect(vals(c)[1]).toMatchObject({ parentSpanId: '00f067aa0ba902b7', name: 'SELECT orders' });
  });

  it('EventBridge: emits detail, keeps time/region/account', async () => {
    const c = await readFile(tmp.file('eb.json', fixture('eventbridge.json')));
    expect(c.stats.container).toBe('eventbridge');
    expect(c.records).toHaveLength(1);
    expect(vals(c)[0]).toMatchObject({ eventName: 'CreateAccessKey', eventSource: 'iam.amazonaws.com' });
    expect(c.records[0]).toMatchObject({
      envelope: 'eventbridge',
      source: { line: 1 },
      envelopeFields: { time: '2024-05-01T10:00:00Z', region: 'us-east-1', account: '123456789012', detailType: 'AWS API Call via CloudTrail', source: 'aws.cloudtrail' },
    });
    const lines = `${JSON.stringify(JSON.parse(fixture('eventbridge.json')))}\n`.repeat(3);
    const d = await readFile(tmp.file('eb.ndjson', lines));
    expect(d.records.map((r) => [r.source.line, (r.value as Obj).eventName])).toEqual([
      [1, 'CreateAccessKey'],
      [2, 'CreateAccessKey'],
      [3, 'CreateAccessKey'],
    ]);
  });

  it('a CloudWatch message holding an EventBridge event is unwrapped twice', async () => {
    const eb = JSON.stringify(JSON.parse(fixture('eventbridge.json')));
    const cw = JSON.stringify({ messageType: 'DATA_MESSAGE', logGroup: '/aws/events/ct', logStream: 's', logEvents: [{ id: '1', timestamp: 5, message: eb }] });
    const c = await readFile(tmp.file('cw-eb.json', cw));
    expect(vals(c)[0]).toMatchObject({ eventName: 'CreateAccessKey' });
    expect(c.records[0]?.envelope).toBe('eventbridge');
    expect(c.records[0]?.envelopeFields).toMatchObject({ timestamp: 5, logGroup: '/aws/events/ct', region: 'us-east-1' });
    expect(c.stats.container).toBe('cloudwatch-events');
  });

  it('an array of envelopes is unwrapped element by element', async () => {
    const eb = JSON.parse(fixture('eventbridge.json')) as unknown;
    const c = await readFile(tmp.file('arr-eb.json', JSON.stringify([eb, eb], null, 1)));
    expect(c.records).toHaveLength(2);
    expect(c.stats.container).toBe('eventbridge');
  });

  it('streams a large envelope element by element, with a malformed element in the middle', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 3000; i++) parts.push(i === 1500 ? '{"eventID": "bad",}' : JSON.stringify({ eventID: `e${i}`, pad: 'p'.repeat(200) }));
    const text = `{"Records":[\n${parts.join(',\n')}\n]}\n`;
    // a line limit far below the document size: only elements are ever buffered
    const c = await readFile(tmp.file('big-ct.json', text), { maxLineBytes: 4096 }, 4096);
    expect(c.records).toHaveLength(2999);
    expect(c.records[0]?.source.line).toBe(2);
    expect(c.records[2998]?.source.line).toBe(3001);
    expect(issueView(c)).toEqual([{ kind: 'malformed-json', line: 1502 }]);
  });

  it('metadata keys and a weak key after the envelope key do not disturb streaming', async () => {
    const text = '{"owner":"x","nextToken":null,"events":[{"message":"{\\"a\\":1}","timestamp":1},{"message":"{\\"a\\":2}"}],"searchedLogStreams":[{"logStreamName":"s"}]}';
    const c = await readFile(tmp.file('cwx.json', text));
    expect(vals(c)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('stdin-like streams get the same envelope handling', async () => {
    const c = await readChunks([fixture('otlp-spans.json')]);
    expect(c.records).toHaveLength(2);
    expect(c.records[0]?.source.file).toBe('-');
  });
});

describe('long first lines', () => {
  it('a one-line envelope longer than maxLineBytes is streamed, not skipped', async () => {
    const doc = { Records: Array.from({ length: 200 }, (_, i) => ({ eventID: `e${i}`, pad: 'x'.repeat(50) })) };
    const text = JSON.stringify(doc);
    expect(text.length).toBeGreaterThan(10_000);
    const c = await readFile(tmp.file('ct-long.json', `${text}\n`), { maxLineBytes: 1000 });
    expect(c.records).toHaveLength(200);
    expect(c.issues).toEqual([]);
    expect(c.stats.container).toBe('cloudtrail-records');
  });

  it('a plain first line longer than maxLineBytes is skipped and the rest read', async () => {
    const c = await readFile(tmp.file('first-long.log', `{"x":"${'y'.repeat(2000)}"}\n{"a":1}\n{"a":2}\n`), { maxLineBytes: 1000 });
    expect(c.records.map((r) => [r.value, r.source.line])).toEqual([
      [{ a: 1 }, 2],
      [{ a: 2 }, 3],
    ]);
    expect(issueView(c)).toEqual([{ kind: 'line-too-long', line: 1 }]);
  });
});
