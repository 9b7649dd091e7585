import { describe, expect, it } from 'vitest';
import { endpointProbing } from '../../src/detect/detectors/endpoint-probing.js';
import { eventFromRaw, runDetector } from './helpers.js';
import type { EnrichedEvent } from '../../src/enrich/types.js';

const T0 = Date.UTC(2025, 2, 15, 3, 0, 0);
let line = 0;
function req(sec: number, raw: Record<string, unknown>): EnrichedEvent {
  line++;
  return eventFromRaw({ ts: T0 + sec * 1000, ip: '203.0.113.99', ua: 'Mozilla/5.0', status: 200, bytes_out: 512, ...raw }, 'probe.ndjson', line);
}

function storm(n: number, startSec = 0, stepSec = 5, dir = '/admin'): EnrichedEvent[] {
  return Array.from({ length: n }, (_, i) => req(startSec + i * stepSec, { path: `${dir}/file${i}.php`, status: 404 }));
}

describe('endpoint-probing: 404 storm', () => {
  it('20 distinct missing paths in 5 minutes make a medium incident', () => {
    const { alerts } = runDetector(endpointProbing, storm(25));
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ rule: 'endpoint-probing', severity: 'medium', subject: { ip: '203.0.113.99' } });
    expect(a.evidence.metrics).toMatchObject({ distinctNotFound: 25, notFound: 25, windowMinutes: 5 });
    expect(a.start).toBe(T0);
    expect(a.end).toBe(T0 + 24 * 5000);
  });

  it('19 distinct paths, or the same path many times, stay quiet', () => {
    expect(runDetector(endpointProbing, storm(19)).alerts).toEqual([]);
    const same = Array.from({ length: 50 }, (_, i) => req(i, { path: '/favicon.ico', status: 404 }));
    expect(runDetector(endpointProbing, same).alerts).toEqual([]);
  });

  it('missing ids on one real route are enumeration, not probing: they count as one route', () => {
    const events = Array.from({ length: 60 }, (_, i) => {
      const e = req(i, { path: `/api/v1/orders/${9000 + i}`, status: 404 });
      e.template = '/api/v1/orders/{id}';
      return e;
    });
    expect(runDetector(endpointProbing, events).alerts).toEqual([]);
  });

  it('the window slides: 20 distinct paths spread over an hour stay quiet', () => {
    expect(runDetector(endpointProbing, storm(20, 0, 200)).alerts).toEqual([]);
  });

  it('a storm followed by a 2xx in the probed family is high', () => {
    const events = [...storm(25), req(200, { path: '/admin/setup.php', status: 200 })];
    const a = runDetector(endpointProbing, events).alerts[0]!;
    expect(a.severity).toBe('high');
    expect(a.title).toBe('Endpoint probing that found /admin/setup.php (IP 203.0.113.99)');
    expect(a.evidence.successes).toEqual([{ path: '/admin/setup.php', status: 200, kind: 'probe' }]);
    expect(a.evidence.samples.some((s) => s.path === '/admin/setup.php' && s.status === 200)).toBe(true);
  });

  it('a 2xx elsewhere (not in a probed family) does not raise it', () => {
    const events = [...storm(25), req(200, { path: '/api/orders', status: 200 })];
    expect(runDetector(endpointProbing, events).alerts[0]!.severity).toBe('medium');
  });

  it('another actor is separate', () => {
    const events = [...storm(25), req(200, { path: '/admin/setup.php', status: 200, ip: '198.51.100.1' })];
    const { alerts } = runDetector(endpointProbing, events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.severity).toBe('medium');
  });
});

describe('endpoint-probing: sensitive paths', () => {
  it.each([
    ['/.env'],
    ['/app/.env.production'],
    ['/.git/config'],
    ['/.aws/credentials'],
    ['/backup.zip'],
    ['/site-backup-2024.tar.gz'],
    ['/config.php.bak'],
    ['/db.sql'],
    ['/wp-admin/install.php'],
    ['/phpmyadmin/index.php'],
    ['/server-status'],
    ['/actuator/env'],
    ['/actuator/heapdump'],
  ])('%s probed and refused is reported (low)', (p) => {
    const { alerts } = runDetector(endpointProbing, [req(0, { path: p, status: 404 })]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.severity).toBe('low');
  });

  it.each([['/api/orders/42'], ['/actuator/health'], ['/static/app.js'], ['/docs/environment'], ['/blog/git-tips']])('%s is not sensitive', (p) => {
    expect(runDetector(endpointProbing, [req(0, { path: p, status: 404 })]).alerts).toEqual([]);
  });

  it('a secret file served (2xx with a body) is critical', () => {
    const a = runDetector(endpointProbing, [req(0, { path: '/.env', status: 200, bytes_out: 734 })]).alerts[0]!;
    expect(a.severity).toBe('critical');
    expect(a.severityReason).toMatch(/secret-bearing file was served.*\/\.env/);
  });

  it('an admin console reachable without a storm is medium; with a storm high', () => {
    expect(runDetector(endpointProbing, [req(0, { path: '/server-status', status: 200 })]).alerts[0]!.severity).toBe('medium');
    const events = [...storm(25), req(200, { path: '/phpmyadmin/', status: 200 })];
    expect(runDetector(endpointProbing, events).alerts[0]!.severity).toBe('high');
  });

  it('three distinct sensitive probes refused are medium', () => {
    const events = ['/.env', '/.git/config', '/backup.zip'].map((p, i) => req(i, { path: p, status: 403 }));
    expect(runDetector(endpointProbing, events).alerts[0]!.severity).toBe('medium');
  });

  it('an incident opened by sensitive probes counts the peak of missing routes it saw, never 0 beside them', () => {
    const events = ['/.env', '/.git/config', '/backup.zip', '/db.sql'].map((p, i) => req(i, { path: p, status: 404 }));
    const a = runDetector(endpointProbing, events).alerts[0]!;
    const m = a.evidence.metrics;
    // The probe that opened the incident is counted and shown like the others.
    expect(m).toMatchObject({ distinctNotFound: 4, notFound: 4, peakDistinctInWindow: 4 });
    expect(a.evidence.samples.map((x) => x.path)).toContain('/.env');
  });

  it('a catch-all page (same size for different secret files) is lowered and flagged', () => {
    const events = ['/.env', '/.git/config', '/backup.zip', '/db.sql'].map((p, i) => req(i, { path: p, status: 200, bytes_out: 1234 }));
    const a = runDetector(endpointProbing, events).alerts[0]!;
    expect(a.severity).toBe('medium');
    expect(a.evidence.softNotFound).toBe(true);
  });

  it('a quiet gap ends the incident', () => {
    const events = [req(0, { path: '/.env', status: 404 }), req(3 * 3600, { path: '/.git/config', status: 404 })];
    expect(runDetector(endpointProbing, events).alerts).toHaveLength(2);
  });
});
