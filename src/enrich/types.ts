import type { ApiEvent } from '../normalise/event.js';

/** Kinds of object identifier recognised in paths and query strings. */
export type ObjectIdKind = 'int' | 'uuid' | 'objectid' | 'hex' | 'ulid' | 'email' | 'token';

export interface ObjectRef {
  /** Where the id sits: "path:N" (segment index) or "query:NAME". */
  param: string;
  value: string;
  kind: ObjectIdKind;
  /** Set for integer ids, for sequence analysis. */
  numeric?: number;
}

/** Geolocation of an IP. `reserved` names a private/reserved range instead of a location. */
export interface GeoInfo {
  country?: string;
  region?: string;
  city?: string;
  lat?: number;
  lon?: number;
  /** Accuracy radius in km, as the database states it. */
  radiusKm?: number;
  /** e.g. "private (RFC 1918)", "documentation (RFC 5737)", "loopback". No location when set. */
  reserved?: string;
}

export type GeoLookup = (ip: string | undefined) => GeoInfo | null;

/** A canonical event with what every detector shares: route template, object ids, actor key. */
export interface EnrichedEvent extends ApiEvent {
  /** Route template, e.g. "/orders/{id}" (the source's template when it has one). */
  template: string;
  objectIds: ObjectRef[];
  /** Stable actor key: "user:ID", else "key:ID", else "ip:IP". */
  actor: string;
}
