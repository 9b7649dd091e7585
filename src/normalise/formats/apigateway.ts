/**
 * AWS API Gateway access logs (JSON, user-defined $context template): the REST console preset,
 * CDK jsonWithStandardFields, HTTP API (routeKey), Lambda/Cognito authorizer fields.
 * `resourcePath` and `routeKey` are route templates; the concrete path is only in `path`.
 */
import { defineFormat, getters } from '../format.js';
import { statusOf, str } from '../values.js';

const g = getters(
  'error.responseType', 'error.errorResponseType', 'errorResponseType', 'authorizer.status', 'authorizer.error',
  'authorizerError', 'authorizer.integrationStatus',
);

const AUTH_RESPONSE_TYPES = new Set([
  'UNAUTHORIZED', 'ACCESS_DENIED', 'INVALID_API_KEY', 'MISSING_AUTHENTICATION_TOKEN', 'INVALID_SIGNATURE', 'EXPIRED_TOKEN',
]);

export const apigateway = defineFormat({
  id: 'apigateway',
  title: 'AWS API Gateway access logs (REST and HTTP API)',
  detectKeys: 'requestId + (httpMethod or routeKey or resourcePath); CLF requestTime, requestTimeEpoch, extendedRequestId or responseLength raise confidence',
  sources: {
    ts: ['requestTimeEpoch', 'requestTime'],
    ip: ['ip', 'sourceIp', 'identity.sourceIp'],
    user: [
      'user', 'authorizer.claims.sub', 'authorizer.jwt.claims.sub', 'authorizer.claims.username', 'authorizer.principalId',
      'principalId', 'userArn', 'identity.userArn', 'caller', 'identity.caller', 'identity.user',
      // HTTP API templates name the JWT's subject themselves ("jwtSub": "$context.authorizer.claims.sub").
      'jwtSub', 'jwt_sub',
    ],
    apiKey: ['apiKeyId', 'identity.apiKeyId', 'apiKey|secret', 'identity.apiKey|secret'],
    method: ['httpMethod', 'routeKey|routeKey'],
    path: ['path'],
    route: ['resourcePath', 'routeKey|routeKey'],
    host: ['domainName'],
    status: ['status', 'httpStatusCode'],
    bytesOut: ['responseLength'],
    latencyMs: ['responseLatency', 'integrationLatency'],
    userAgent: ['userAgent', 'identity.userAgent'],
    requestId: ['requestId', 'extendedRequestId'],
  },
  notes: { auth: 'error.responseType (UNAUTHORIZED, ACCESS_DENIED, INVALID_API_KEY, ...) | authorizer.status / authorizer.error' },
  detect(r) {
    if (r.requestId === undefined) return 0;
    if (r.httpMethod === undefined && r.routeKey === undefined && r.resourcePath === undefined) return 0;
    const t = r.requestTime;
    const clf = typeof t === 'string' && t.charCodeAt(2) === 47;
    return clf || r.requestTimeEpoch !== undefined || r.extendedRequestId !== undefined || r.responseLength !== undefined ? 1 : 0.8;
  },
  post(r, ev) {
    const rt = str(g['error.responseType'](r)) ?? str(g['error.errorResponseType'](r)) ?? str(g.errorResponseType(r));
    if (rt !== undefined && AUTH_RESPONSE_TYPES.has(rt.toUpperCase())) {
      // ACCESS_DENIED: the authorizer knew the caller and said no; the rest are failed authentications.
      ev.auth = rt.toUpperCase() === 'ACCESS_DENIED' ? 'denied' : 'failure';
      return;
    }
    const err = str(g['authorizer.error'](r)) ?? str(g.authorizerError(r));
    const st = statusOf(g['authorizer.status'](r));
    if (st === 403) ev.auth = 'denied';
    else if (st === 401 || (err !== undefined && err !== 'null')) ev.auth = 'failure';
    else if (st !== undefined && st >= 200 && st < 300) ev.auth = 'success';
  },
  explainPost(r) {
    if (str(g['error.responseType'](r)) ?? str(g['error.errorResponseType'](r)) ?? str(g.errorResponseType(r))) {
      return { auth: 'error.responseType' };
    }
    return g['authorizer.status'](r) !== undefined || g['authorizer.error'](r) !== undefined ? { auth: 'authorizer.status' } : {};
  },
});
