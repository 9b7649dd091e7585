/**
 * Envoy JSON access logs: Istio's `accessLogEncoding: JSON` keys (which most Envoy JSON set-ups
 * copy) and Envoy Gateway's header-style keys (":authority", "x-forwarded-for", ...).
 */
import { defineFormat } from '../format.js';
import { str } from '../values.js';

/** Authentication refused (the JWT did not verify) and authorisation refused (RBAC, ext_authz). */
const FAILURES = ['jwt_authn_access_denied', 'ext_authz_error'];
const DENIALS = ['rbac_access_denied', 'ext_authz_denied'];

export const envoy = defineFormat({
  id: 'envoy',
  title: 'Envoy / Istio JSON access log',
  detectKeys: 'response_flags, upstream_cluster or downstream_remote_address; or start_time + response_code + (bytes_sent or duration)',
  sources: {
    ts: ['start_time', 'timestamp'],
    ip: ['downstream_remote_address', 'downstream_direct_remote_address', 'x_forwarded_for|xff', 'x-forwarded-for|xff'],
    user: ['user_id', 'x-user-id', 'x_user_id'],
    method: ['method', ':method'],
    path: ['x-envoy-origin-path', 'x_envoy_original_path', 'x-envoy-original-path', 'path', ':path'],
    host: ['authority', ':authority'],
    status: ['response_code'],
    bytesOut: ['bytes_sent'],
    bytesIn: ['bytes_received'],
    latencyMs: ['duration'],
    userAgent: ['user_agent', 'user-agent'],
    requestId: ['request_id', 'x-request-id', 'x_request_id'],
  },
  notes: { auth: 'response_code_details (jwt_authn_access_denied, ext_authz_error -> failure; rbac_access_denied, ext_authz_denied -> denied)' },
  detect(r) {
    const rc = r.response_code !== undefined;
    if (r.response_flags !== undefined || r.upstream_cluster !== undefined || r.downstream_remote_address !== undefined) {
      return rc || r.method !== undefined || r[':method'] !== undefined ? 1 : 0.6;
    }
    if (r.start_time !== undefined && rc && (r.bytes_sent !== undefined || r.duration !== undefined)) return 0.8;
    return 0;
  },
  post(r, ev) {
    const d = r.response_code_details;
    if (typeof d !== 'string' || d === 'via_upstream') return;
    for (const x of FAILURES) {
      if (d.includes(x)) {
        ev.auth = 'failure';
        return;
      }
    }
    for (const x of DENIALS) {
      if (d.includes(x)) {
        ev.auth = 'denied';
        return;
      }
    }
  },
  explainPost(r) {
    return str(r.response_code_details) !== undefined ? { auth: 'response_code_details' } : {};
  },
});
