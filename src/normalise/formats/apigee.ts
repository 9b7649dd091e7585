/**
 * Apigee analytics records (data export, microgateway analytics). MessageLogging output is a
 * user template: it goes through the flat alias mapper (or --map).
 */
import { defineFormat } from '../format.js';

export const apigee = defineFormat({
  id: 'apigee',
  title: 'Apigee analytics records',
  detectKeys: 'request_verb + response_status_code (+ client_received_start_timestamp or apiproxy)',
  sources: {
    ts: ['client_received_start_timestamp', 'timestamp'],
    ip: ['x_forwarded_for_ip|xff', 'forwarded_ip|xff', 'client_ip'],
    user: ['developer_email', 'developer_app', 'developer'],
    roles: ['api_product'],
    // client_id is the consumer key itself: always masked.
    apiKey: ['client_id|secret'],
    method: ['request_verb'],
    path: ['request_path', 'request_uri'],
    query: ['request_uri|fromTarget'],
    status: ['response_status_code'],
    bytesOut: ['response_size'],
    bytesIn: ['request_size'],
    latencyMs: ['total_response_time'],
    userAgent: ['useragent'],
    requestId: ['gateway_flow_id', 'messageid'],
    action: ['apiproxy'],
  },
  detect(r) {
    if (r.request_verb === undefined || r.response_status_code === undefined) return 0;
    return r.client_received_start_timestamp !== undefined || r.apiproxy !== undefined ? 1 : 0.9;
  },
});
