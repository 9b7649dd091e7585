#!/usr/bin/env node
/**
 * apilog next to other tools on the same NDJSON file, each timed wall-clock (issue 7):
 *
 *   - jq, one select:   jq -c 'select(.status >= 500)' FILE > /dev/null      (skipped without jq)
 *   - DuckDB (@duckdb/node-api, a dev dependency), in a child process of its own: read_json into a
 *     table, then SQL versions of the six behavioural detectors with apilog's default thresholds,
 *     read from rules/*.yaml (skipped when the package is missing);
 *   - a bare JSON.parse line loop on one core, and on two cores (worker_threads, each parsing one
 *     half of the file, split at a newline);
 *   - apilog analyze (all default detectors, GeoIP on), or the time bench.mjs measured for it;
 *
 * then the ratios against the issue's floors: apilog >= 2x jq's speed, apilog within 1.5x of
 * DuckDB's time, apilog's events/s >= 60% of the two-core parse rate. PASS or BELOW, as measured.
 *
 *   npm run build && node scripts/bench-compare.mjs --file bench-data/flat-1024MB-seed42.ndjson
 *   node scripts/bench-compare.mjs --file F --apilog-seconds 113.2   (bench.mjs passes its own figure)
 *   node scripts/bench-compare.mjs --print-sql                        (the SQL, with the thresholds)
 *
 * How close each SQL query comes to its detector is said next to it (SQL_NOTES and the comments).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseLines } from './lib/parse-lines.mjs';
import { SEMI_SPACE_MB, V8_FLAGS } from '../bin/v8-flags.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const MiB = 1024 * 1024;
const require = createRequire(import.meta.url);

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i !== -1 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : dflt;
}
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---------------------------------------------------------------------------------------------
// Bare JSON.parse per line over a byte range [start, end) that begins and ends at line starts.

/** Byte offsets splitting the file into `parts` ranges, each starting right after a newline. */
function splitAtNewlines(file, parts) {
  const size = fs.statSync(file).size;
  const cuts = [0];
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(64 * 1024);
  try {
    for (let k = 1; k < parts; k++) {
      let at = Math.max(cuts[cuts.length - 1], Math.floor((size * k) / parts));
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, at);
        if (n === 0) {
          at = size;
          break;
        }
        const nl = buf.subarray(0, n).indexOf(10);
        if (nl !== -1) {
          at += nl + 1;
          break;
        }
        at += n;
      }
      cuts.push(at);
    }
  } finally {
    fs.closeSync(fd);
  }
  cuts.push(size);
  return cuts;
}

async function phaseParse(file, workers) {
  const t0 = performance.now();
  let events = 0;
  if (workers <= 1) {
    events = await parseLines(file, 0, fs.statSync(file).size);
  } else {
    const cuts = splitAtNewlines(file, workers);
    const counts = await Promise.all(
      cuts.slice(0, -1).map(
        (start, k) =>
          new Promise((resolve, reject) => {
            const w = new Worker(SELF, {
              workerData: { file, start, end: cuts[k + 1] },
              // The young generation of apilog's --max-semi-space-size (V8 sizes it at three
              // semi-spaces), as the one-core loop and apilog get; execArgv cannot carry that flag to a worker.
              resourceLimits: { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB },
            });
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    events = counts.reduce((a, b) => a + b, 0);
  }
  return { events, secs: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// SQL versions of the six behavioural detectors.

const sqlStr = (s) => `'${String(s).replace(/'/g, "''")}'`;
const sqlList = (xs) => (xs.length ? xs.map(sqlStr).join(', ') : 'NULL');

/** apilog's own defaults from rules/*.yaml (what `apilog analyze` uses without --rules). */
async function loadRules() {
  const YAML = require('yaml');
  const read = (f) => YAML.parse(fs.readFileSync(path.join(ROOT, 'rules', f), 'utf8'));
  const det = read('detectors.yaml').detectors;
  const routes = read('routes.yaml').routes;
  const policy = read('policy.yaml').policy;
  const defaults = read('defaults.yaml');
  // The same translation of route patterns to regexes as apilog's matcher (RE2 accepts it).
  const { routePatternSource } = await import(pathToFileURL(path.join(ROOT, 'dist/rules/match.js')).href);
  const re = (list) => (list ?? []).map(routePatternSource).join('|') || '$.^';
  return {
    det,
    bh: defaults.businessHours,
    adminRoles: [...new Set([...(policy.adminRoles ?? []), ...(det['after-hours-admin'].adminRoles ?? [])])],
    re: {
      admin: re(routes.admin),
      login: re(routes.login),
      export: re(routes.export),
      sensitive: re(routes.sensitive),
      health: re(routes.health),
      privileged: re(det['after-hours-admin'].privilegedRoutes),
    },
  };
}

const LOAD_SQL = (file) => `CREATE TABLE ev AS SELECT * FROM read_json(${sqlStr(file)}, format = 'newline_delimited',
  columns = {timestamp: 'TIMESTAMP', user_id: 'VARCHAR', role: 'VARCHAR', ip: 'VARCHAR', method: 'VARCHAR',
             endpoint: 'VARCHAR', status: 'SMALLINT', response_time_ms: 'DOUBLE', bytes: 'BIGINT',
             user_agent: 'VARCHAR', request_id: 'VARCHAR', session_id: 'VARCHAR'})`;

// Integers and UUIDs are object ids, as in apilog's templating (which also knows ObjectIds, long
// hex, ULIDs, emails, tokens and ?id= parameters; this data has integer path ids only).
const ID_RE = '([0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

function buildSql(r) {
  const bola = r.det['bola-enumeration'];
  const cs = r.det['credential-stuffing'];
  const ex = r.det['data-exfiltration'];
  const it = r.det['impossible-travel'];
  const ah = r.det['after-hours-admin'];
  const sc = r.det.scraping;
  const bh = r.bh;
  // Business hours, judged in their zone (UTC by default; ICU for any other zone).
  const local = bh.timezone === 'UTC' ? 'ts' : `timezone(${sqlStr(bh.timezone)}, ts::TIMESTAMPTZ)`;
  const days = bh.days.join(', ');
  const inHours =
    bh.start <= bh.end
      ? `(isodow(${local}) IN (${days}) AND ${local}::TIME >= TIME '${bh.start}' AND ${local}::TIME < TIME '${bh.end}')`
      : `((isodow(${local}) IN (${days}) AND ${local}::TIME >= TIME '${bh.start}') OR ` +
        `(isodow(${local} - INTERVAL 1 DAY) IN (${days}) AND ${local}::TIME < TIME '${bh.end}'))`;
  const writes = `('POST', 'PUT', 'PATCH', 'DELETE')`;
  const haversine = (a, b, c, d) =>
    `2 * 6371 * asin(sqrt(pow(sin(radians(${c} - ${a}) / 2), 2) + cos(radians(${a})) * cos(radians(${c})) * pow(sin(radians(${d} - ${b}) / 2), 2)))`;

  return {
    // The route template of every event, computed once; the route classes once per distinct
    // template (apilog caches its route matches per template too).
    prepare: `CREATE TABLE evx AS
WITH b AS (
  SELECT timestamp AS ts, user_id, role, ip, upper(method) AS method, status, bytes, path,
    regexp_replace(path, '/${ID_RE}(/|$)', '/{id}\\2', 'g') AS route,
    nullif(regexp_extract(path, '/${ID_RE}(/|$)', 1), '') AS oid
  FROM (SELECT *, split_part(endpoint, '?', 1) AS path FROM ev)),
rc AS (
  SELECT route,
    regexp_matches(route, ${sqlStr(r.re.login)}, 'i') AS is_login,
    regexp_matches(route, ${sqlStr(r.re.admin)}, 'i') AS is_admin_route,
    regexp_matches(route, ${sqlStr(r.re.privileged)}, 'i') AS is_priv_route,
    regexp_matches(route, ${sqlStr(r.re.export)}, 'i') AS is_export,
    regexp_matches(route, ${sqlStr(r.re.sensitive)}, 'i') AS is_sensitive,
    regexp_matches(route, ${sqlStr(r.re.health)}, 'i') AS is_health
  FROM (SELECT DISTINCT route FROM b))
SELECT b.*, rc.* EXCLUDE (route) FROM b JOIN rc USING (route)`,

    // bola-enumeration: per (user, route template), distinct foreign ids in a sliding
    // ${bola.windowMinutes}-minute window >= ${bola.threshold} (${bola.sensitiveThreshold} on sensitive routes). An id is
    // the actor's own when it is their user id's number or they first used it >= ${bola.ownIdMinAgeMinutes} min before.
    bola: `WITH x AS (
  SELECT user_id, route, ts, oid, is_sensitive, min(ts) OVER (PARTITION BY user_id, route, oid) AS first_use
  FROM evx WHERE oid IS NOT NULL AND user_id IS NOT NULL),
f AS (SELECT * FROM x WHERE oid <> regexp_extract(user_id, '[0-9]+')
        AND first_use > ts - INTERVAL ${bola.ownIdMinAgeMinutes} MINUTE),
w AS (SELECT *, count(DISTINCT oid) OVER (PARTITION BY user_id, route ORDER BY ts
        RANGE BETWEEN INTERVAL ${bola.windowMinutes} MINUTE PRECEDING AND CURRENT ROW) AS n FROM f)
SELECT user_id, route, min(ts) AS first_hit, max(ts) AS last_hit, max(n) AS peak_ids
FROM w WHERE n >= CASE WHEN is_sensitive THEN ${bola.sensitiveThreshold} ELSE ${bola.threshold} END
GROUP BY user_id, route`,

    // credential-stuffing: failures on login routes (401/403/429) and 401 elsewhere. Per IP in a
    // ${cs.windowMinutes}-minute window: stuffing (>= ${cs.stuffingMinAccounts} accounts, >= ${cs.stuffingMinFailures} failures), spraying
    // (>= ${cs.sprayMinAccounts} accounts, >= ${cs.sprayMinFailures} failures), brute force (>= ${cs.bruteForceFailures} on one account), a
    // burst (> ${cs.burstPerMinute} in 60 s), with failures >= ${cs.minFailureRatio} of the IP's attempts; per account:
    // >= ${cs.distributedMinFailures} login failures from >= ${cs.distributedMinIps} IPs.
    credential: `WITH a AS (
  SELECT ts, ip, user_id, is_login,
    CASE WHEN is_login THEN status IN (401, 403, 429) ELSE status = 401 END AS fail
  FROM evx WHERE is_login OR status = 401),
w AS (SELECT *,
    count(*) FILTER (WHERE fail) OVER h AS fails, count(*) OVER h AS tries,
    count(DISTINCT user_id) FILTER (WHERE fail) OVER h AS accounts,
    count(*) FILTER (WHERE fail) OVER m AS fails_1m,
    count(*) FILTER (WHERE fail) OVER hu AS fails_account
  FROM a WINDOW
    h AS (PARTITION BY ip ORDER BY ts RANGE BETWEEN INTERVAL ${cs.windowMinutes} MINUTE PRECEDING AND CURRENT ROW),
    m AS (PARTITION BY ip ORDER BY ts RANGE BETWEEN INTERVAL 60 SECOND PRECEDING AND CURRENT ROW),
    hu AS (PARTITION BY ip, user_id ORDER BY ts RANGE BETWEEN INTERVAL ${cs.windowMinutes} MINUTE PRECEDING AND CURRENT ROW)),
per_ip AS (
  SELECT 'ip' AS kind, ip AS subject, min(ts) AS first_hit, max(ts) AS last_hit, max(fails) AS failures, max(accounts) AS accounts
  FROM w WHERE fail AND fails >= ${cs.minFailureRatio} * tries AND (
    (accounts >= ${cs.stuffingMinAccounts} AND fails >= ${cs.stuffingMinFailures})
    OR (accounts >= ${cs.sprayMinAccounts} AND fails >= ${cs.sprayMinFailures})
    OR fails_account >= ${cs.bruteForceFailures} OR fails_1m > ${cs.burstPerMinute})
  GROUP BY ip),
l AS (SELECT *,
    count(*) OVER u AS fails, count(DISTINCT ip) OVER u AS ips
  FROM a WHERE is_login AND fail AND user_id IS NOT NULL
  WINDOW u AS (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL ${cs.windowMinutes} MINUTE PRECEDING AND CURRENT ROW)),
per_account AS (
  SELECT 'user' AS kind, user_id AS subject, min(ts), max(ts), max(fails), 1
  FROM l WHERE ips >= ${cs.distributedMinIps} AND fails >= ${cs.distributedMinFailures} GROUP BY user_id)
SELECT * FROM per_ip UNION ALL SELECT * FROM per_account`,

    // data-exfiltration: per user and clock hour, bytes of successful responses, successful
    // requests and export requests, against the user's earlier active hours: with >= ${ex.minHistoryHours} hours,
    // above max(p99, median + ${ex.robustZ} x 1.4826 x MAD, ${ex.medianFactor} x median); with fewer, above ${ex.shortHistoryFactor} x their
    // largest hour; with none, above ${ex.noHistoryBytes} bytes or ${ex.peerFactor} x the peers' median hour. Bytes never below
    // ${ex.minBytes}, requests never below ${ex.requestMinPerWindow}; exports from ${ex.exportMinRequests} an hour (or ${ex.exportFactor} x usual).
    exfiltration: `WITH h AS (
  SELECT user_id, time_bucket(INTERVAL 1 HOUR, ts) AS hour,
    coalesce(sum(bytes) FILTER (WHERE status < 400), 0) AS b,
    count(*) FILTER (WHERE status < 400) AS ok,
    count(*) FILTER (WHERE is_export) AS exports
  FROM evx WHERE user_id IS NOT NULL GROUP BY ALL),
s AS (SELECT *, count(*) OVER p AS hist,
    median(b) OVER p AS med_b, mad(b) OVER p AS mad_b, quantile_cont(b, 0.99) OVER p AS p99_b, max(b) OVER p AS max_b,
    median(ok) OVER p AS med_ok, mad(ok) OVER p AS mad_ok, quantile_cont(ok, 0.99) OVER p AS p99_ok, max(ok) OVER p AS max_ok,
    median(exports) OVER p AS med_exports
  FROM h WINDOW p AS (PARTITION BY user_id ORDER BY hour ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),
peers AS (SELECT median(b) AS peer_b, median(ok) AS peer_ok FROM h)
SELECT user_id, hour, b AS bytes, ok AS requests, exports, hist AS history_hours FROM s, peers WHERE
  (b >= ${ex.minBytes} AND CASE
      WHEN hist >= ${ex.minHistoryHours} THEN b > greatest(p99_b, med_b + ${ex.robustZ} * 1.4826 * mad_b, ${ex.medianFactor} * med_b)
      WHEN hist > 0 THEN b > ${ex.shortHistoryFactor} * max_b
      ELSE b > least(${ex.noHistoryBytes}, ${ex.peerFactor} * peer_b) END)
  OR (ok >= ${ex.requestMinPerWindow} AND CASE
      WHEN hist >= ${ex.minHistoryHours} THEN ok > greatest(p99_ok, med_ok + ${ex.robustZ} * 1.4826 * mad_ok, ${ex.medianFactor} * med_ok)
      WHEN hist > 0 THEN ok > ${ex.shortHistoryFactor} * max_ok
      ELSE ok > ${ex.peerFactor} * peer_ok END)
  OR (exports >= ${ex.exportMinRequests} AND (hist = 0 OR exports > ${ex.exportFactor} * med_exports))`,

    // impossible-travel: successful requests of located IPs (table geo, filled from geoip-lite in
    // JS: DuckDB has no GeoIP); per user, each change of IP is compared with the last event at the
    // previous IP: great-circle km minus both accuracy radii (${it.defaultRadiusKm} km when unknown) >= ${it.minDistanceKm},
    // same-country pairs only beyond ${it.sameCountryMinKm} km, speed over max(gap, ${it.minGapMinutes} min) > ${it.maxSpeedKmh} km/h.
    travel: `WITH l AS (
  SELECT e.user_id, e.ts, e.ip, g.country, g.lat, g.lon, g.radius
  FROM evx e JOIN geo g ON e.ip = g.ip
  WHERE e.status < 400 AND e.user_id IS NOT NULL AND g.lat IS NOT NULL),
c AS (SELECT *, lag(ip) OVER w AS pip, lag(ts) OVER w AS pts, lag(lat) OVER w AS plat, lag(lon) OVER w AS plon,
    lag(radius) OVER w AS pradius, lag(country) OVER w AS pcountry
  FROM l WINDOW w AS (PARTITION BY user_id ORDER BY ts)),
j AS (SELECT *, greatest(0, ${haversine('plat', 'plon', 'lat', 'lon')} - pradius - radius) AS eff_km,
    greatest(epoch_ms(ts) - epoch_ms(pts), ${it.minGapMinutes * 60_000}) / 3600000.0 AS hours
  FROM c WHERE pip IS NOT NULL AND ip <> pip)
SELECT user_id, pip AS from_ip, ip AS to_ip, pts AS left_at, ts AS arrived_at, eff_km, eff_km / hours AS kmh FROM j
WHERE eff_km >= ${it.minDistanceKm} AND NOT (country = pcountry AND eff_km < ${it.sameCountryMinKm}) AND eff_km / hours > ${it.maxSpeedKmh}`,

    // after-hours-admin: admin routes, admin roles (${r.adminRoles.join(', ')}) or writes on privileged routes,
    // outside ${bh.days.join(',')} ${bh.start}-${bh.end} ${bh.timezone}; a gap > ${ah.sessionGapMinutes} min starts a new session (one alert each).
    afterHours: `WITH a AS (
  SELECT coalesce(user_id, ip) AS actor, ts, method FROM evx
  WHERE (is_admin_route OR role IN (${sqlList(r.adminRoles)}) OR (method IN ${writes} AND is_priv_route))
    AND NOT ${inHours}),
s AS (SELECT *, CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > INTERVAL ${ah.sessionGapMinutes} MINUTE THEN 1 ELSE 0 END AS new_session
  FROM a WINDOW w AS (PARTITION BY actor ORDER BY ts)),
g AS (SELECT *, sum(new_session) OVER (PARTITION BY actor ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session FROM s)
SELECT actor, session, min(ts) AS first_action, max(ts) AS last_action, count(*) AS actions,
  count(*) FILTER (WHERE method IN ${writes}) AS writes
FROM g GROUP BY actor, session`,

    // scraping: per actor (user, else IP), health routes left out, requests in a sliding 60 s
    // > ${sc.ratePerMinute}; such requests less than 60 s apart form an incident, kept when it lasts >= ${sc.minDurationSeconds} s;
    // breadth: >= ${sc.breadthMinPaths} distinct URLs. (Timing regularity and id walks are not computed in SQL.)
    scraping: `WITH a AS (SELECT coalesce(user_id, ip) AS actor, ts, path FROM evx WHERE NOT is_health),
r AS (SELECT *, count(*) OVER (PARTITION BY actor ORDER BY ts
        RANGE BETWEEN INTERVAL 60 SECOND PRECEDING AND CURRENT ROW) AS per_minute FROM a),
hot AS (SELECT *, lag(ts) OVER (PARTITION BY actor ORDER BY ts) AS pts FROM r WHERE per_minute > ${sc.ratePerMinute}),
i AS (SELECT *, sum(CASE WHEN pts IS NULL OR ts - pts > INTERVAL 60 SECOND THEN 1 ELSE 0 END)
        OVER (PARTITION BY actor ORDER BY ts ROWS UNBOUNDED PRECEDING) AS incident FROM hot)
SELECT actor, incident, min(ts) AS first_hit, max(ts) AS last_hit, count(*) AS requests, max(per_minute) AS peak_per_minute,
  count(DISTINCT path) AS urls, count(DISTINCT path) >= ${sc.breadthMinPaths} AS breadth
FROM i GROUP BY actor, incident HAVING max(ts) - min(ts) >= INTERVAL ${sc.minDurationSeconds} SECOND`,
  };
}

const QUERY_NAMES = [
  ['bola', 'bola-enumeration'],
  ['credential', 'credential-stuffing'],
  ['exfiltration', 'data-exfiltration'],
  ['travel', 'impossible-travel'],
  ['afterHours', 'after-hours-admin'],
  ['scraping', 'scraping'],
];

/** In the child process: load, locate the IPs, run the six queries. Prints JSON timings. */
async function phaseDuckdb(file) {
  let duck;
  try {
    duck = await import('@duckdb/node-api');
  } catch (err) {
    process.stderr.write(`@duckdb/node-api is not installed (${err.code ?? err.message}); npm install adds it (dev dependency)\n`);
    process.exit(3);
  }
  const rules = await loadRules();
  const sql = buildSql(rules);
  const t00 = performance.now();
  const inst = await duck.DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run(`SET TimeZone = 'UTC'`);
  const threads = (await con.runAndReadAll(`SELECT current_setting('threads') AS t`)).getRowObjectsJson()[0].t;
  const steps = [];
  const timed = async (name, fn) => {
    const t0 = performance.now();
    const rows = await fn();
    steps.push({ name, secs: (performance.now() - t0) / 1000, rows });
  };
  await timed('load (read_json into a table)', async () => {
    await con.run(LOAD_SQL(file));
    return Number((await con.runAndReadAll('SELECT count(*) AS n FROM ev')).getRowObjectsJson()[0].n);
  });
  await timed('prepare (route templates, route classes)', async () => {
    await con.run(sql.prepare);
    return null;
  });
  // GeoIP: no SQL function for it, so the distinct IPs are located in JS with geoip-lite (what
  // apilog uses by default, reserved ranges skipped the same way) and loaded as a table.
  await timed('geo (distinct IPs located in JS with geoip-lite, appended as a table)', async () => {
    const { reservedRange } = await import(pathToFileURL(path.join(ROOT, 'dist/enrich/reserved.js')).href);
    const geoip = require('geoip-lite');
    const dflt = rules.det['impossible-travel'].defaultRadiusKm;
    const ips = (await con.runAndReadAll('SELECT DISTINCT ip FROM evx WHERE status < 400 AND user_id IS NOT NULL AND ip IS NOT NULL')).getRowObjectsJson();
    await con.run('CREATE TABLE geo (ip VARCHAR, country VARCHAR, lat DOUBLE, lon DOUBLE, radius DOUBLE)');
    const app = await con.createAppender('geo');
    let located = 0;
    for (const { ip } of ips) {
      const g = reservedRange(ip) ? null : geoip.lookup(ip);
      const ll = g?.ll && Number.isFinite(g.ll[0]) && Number.isFinite(g.ll[1]) && !(g.ll[0] === 0 && g.ll[1] === 0) ? g.ll : null;
      if (!ll) continue;
      app.appendVarchar(ip);
      if (g.country) app.appendVarchar(g.country);
      else app.appendNull();
      app.appendDouble(ll[0]);
      app.appendDouble(ll[1]);
      app.appendDouble(typeof g.area === 'number' && g.area > 0 ? g.area : dflt);
      app.endRow();
      located++;
    }
    app.closeSync();
    return `${located}/${ips.length} IPs located`;
  });
  for (const [key, name] of QUERY_NAMES) {
    await timed(name, async () => (await con.runAndReadAll(sql[key])).currentRowCount);
  }
  const total = (performance.now() - t00) / 1000;
  con.closeSync();
  inst.closeSync();
  process.stdout.write(JSON.stringify({ steps, total, threads, version: duck.version?.() ?? null }));
}

// ---------------------------------------------------------------------------------------------
// Parent: run each measurement in its own process, print the figures and the ratios.

function runChild(childArgs, opts = {}) {
  const rssFile = path.join(os.tmpdir(), `apilog-compare-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  const res = spawnSync(process.execPath, ['--import', path.join(ROOT, 'scripts/lib/max-rss.mjs'), ...childArgs], {
    env: { ...process.env, APILOG_BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
    stdio: ['ignore', 'pipe', opts.quietStderr ? 'pipe' : 'inherit'],
  });
  const secs = (performance.now() - t0) / 1000;
  let rss = null;
  try {
    rss = Number(fs.readFileSync(rssFile, 'utf8'));
    fs.rmSync(rssFile, { force: true });
  } catch {
    /* the child died before exit */
  }
  return { status: res.status, stdout: res.stdout, stderr: res.stderr ?? '', secs, rss };
}

function runJq(file) {
  const probe = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: 'jq is not installed (apt-get install jq)' };
  const out = fs.openSync(os.devNull, 'w');
  const t0 = performance.now();
  const res = spawnSync('jq', ['-c', 'select(.status >= 500)', file], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
  const secs = (performance.now() - t0) / 1000;
  fs.closeSync(out);
  if (res.status !== 0) return { skipped: `jq exited ${res.status}: ${String(res.stderr).slice(0, 500)}` };
  return { secs, version: probe.stdout.trim() };
}

function runApilog(file) {
  // The same command as bench.mjs's full-pipeline measurement.
  const r = runChild([...V8_FLAGS, path.join(ROOT, 'bin/apilog'), 'analyze', file, '--format', 'ndjson', '-q', '-o', os.devNull]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`apilog analyze exited ${r.status}`);
  return r;
}

function verdict(ok) {
  return ok ? 'PASS' : 'BELOW';
}

async function main() {
  if (process.argv.includes('--print-sql')) {
    const sql = buildSql(await loadRules());
    console.log(`-- load\n${LOAD_SQL(arg('file', 'FILE'))};\n`);
    for (const [k, v] of Object.entries(sql)) console.log(`-- ${k}\n${v};\n`);
    return;
  }
  const file = arg('file');
  if (!file || !fs.existsSync(file)) {
    console.error('usage: node scripts/bench-compare.mjs --file FILE.ndjson [--apilog-seconds S] [--print-sql]');
    process.exit(2);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))) {
    console.error('bench-compare: build first (npm run build)');
    process.exit(2);
  }
  const bytes = fs.statSync(file).size;
  const mbs = (s) => fmt(bytes / 1e6 / s, 1);
  console.log(`\n== compared with jq and DuckDB: ${path.relative(ROOT, path.resolve(file))} (${fmt(bytes / MiB)} MiB) ==`);
  const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}, Node ${process.version}, load average ${load()}`);
  // Warm the page cache so that whichever tool runs first is not penalised.
  for await (const _ of fs.createReadStream(file, { highWaterMark: 8 * MiB })) void _;

  const rows = [];
  const row = (tool, secs, events, rss, note = '') =>
    rows.push({ tool, seconds: fmt(secs, 2), 'events/s': events ? fmt(events / secs) : '', 'MB/s': mbs(secs), 'peak RSS MB': rss ? fmt(rss / MiB) : '', note });

  // Bare JSON.parse, one and two cores (also gives the event count).
  const parse = {};
  for (const workers of [1, 2]) {
    const r = runChild([...V8_FLAGS, SELF, '--phase', 'parse', '--workers', String(workers), '--file', file]);
    if (r.status !== 0) throw new Error(`parse phase (${workers} workers) exited ${r.status}`);
    parse[workers] = { ...JSON.parse(r.stdout), rss: r.rss };
  }
  const events = parse[1].events;
  if (parse[2].events !== events) console.log(`WARNING: the two-core parse counted ${parse[2].events} events, the one-core ${events}`);

  const jq = runJq(file);
  const duckRun = runChild([SELF, '--phase', 'duckdb', '--file', file], { quietStderr: true });
  let duck = null;
  if (duckRun.status === 0) duck = { ...JSON.parse(duckRun.stdout), wall: duckRun.secs, rss: duckRun.rss };
  else if (duckRun.status === 3) duck = { skipped: duckRun.stderr.trim() };
  else duck = { skipped: `DuckDB phase failed (exit ${duckRun.status}): ${duckRun.stderr.slice(0, 1500)}` };

  let apilogSecs = Number(arg('apilog-seconds', 'NaN'));
  let apilogRss = null;
  let apilogNote = 'measured by bench.mjs (full pipeline)';
  if (!Number.isFinite(apilogSecs)) {
    const r = runApilog(file);
    apilogSecs = r.secs;
    apilogRss = r.rss;
    apilogNote = 'apilog analyze, all default detectors, GeoIP on';
  }

  if (jq.skipped) console.log(`jq: skipped: ${jq.skipped}`);
  else row(`jq: select(.status >= 500)`, jq.secs, events, null, jq.version);
  if (duck.skipped) console.log(`DuckDB: skipped: ${duck.skipped}`);
  else row(`DuckDB: load + six patterns`, duck.wall, events, duck.rss, `${duck.version ?? ''} ${duck.threads} threads, child process wall`);
  row('JSON.parse per line, 1 core', parse[1].secs, events, parse[1].rss);
  row('JSON.parse per line, 2 cores', parse[2].secs, events, parse[2].rss, 'worker_threads, half the file each');
  row('apilog analyze', apilogSecs, events, apilogRss, apilogNote);
  console.table(rows);

  if (!duck.skipped) {
    console.log('DuckDB steps (in-process times; the row above is the whole child process):');
    for (const s of duck.steps) console.log(`  ${s.name.padEnd(74)} ${fmt(s.secs, 2).padStart(7)} s   ${s.rows ?? ''}`);
    const queries = duck.steps.filter((s) => QUERY_NAMES.some(([, n]) => n === s.name));
    const q = queries.reduce((a, s) => a + s.secs, 0);
    console.log(`  load ${fmt(duck.steps[0].secs, 2)} s + prepare and geo ${fmt(duck.steps[1].secs + duck.steps[2].secs, 2)} s + six queries ${fmt(q, 2)} s = ${fmt(duck.total, 2)} s (rows = subjects or incidents found)`);
  }

  console.log(`\nratios (wall-clock, same file, same machine; apilog = full analyze; load average now ${load()}):`);
  const apilogRate = events / apilogSecs;
  if (!jq.skipped) {
    const x = jq.secs / apilogSecs;
    console.log(`  apilog speed / jq speed           ${fmt(x, 2).padStart(7)}x    floor >= 2x       ${verdict(x >= 2)}`);
  }
  if (!duck.skipped) {
    const x = apilogSecs / duck.wall;
    console.log(`  apilog time / DuckDB time         ${fmt(x, 2).padStart(7)}x    floor <= 1.5x     ${verdict(x <= 1.5)}`);
  }
  const frac = apilogRate / (events / parse[2].secs);
  console.log(`  apilog events/s / 2-core parse    ${fmt(frac * 100, 1).padStart(7)}%    floor >= 60%      ${verdict(frac >= 0.6)}`);
  console.log(`  (apilog events/s / 1-core parse   ${fmt((apilogRate / (events / parse[1].secs)) * 100, 1).padStart(7)}%)`);
}

if (!isMainThread) {
  parentPort.postMessage(await parseLines(workerData.file, workerData.start, workerData.end));
} else if (process.argv.includes('--phase')) {
  const phase = arg('phase');
  const file = arg('file');
  if (phase === 'parse') process.stdout.write(JSON.stringify(await phaseParse(file, Number(arg('workers', '1')))));
  else if (phase === 'duckdb') await phaseDuckdb(file);
  else throw new Error(`unknown phase ${phase}`);
} else {
  await main();
}
