/** Distances and locations. */
import type { EnrichedEvent, GeoInfo, GeoLookup } from '../../enrich/types.js';

const R_KM = 6371.0088;

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLon = (lon2 - lon1) * toRad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * R_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** GeoIP for the event's IP; the event's own country (e.g. Cloudflare) when GeoIP has nothing. */
export function locate(geo: GeoLookup, e: EnrichedEvent): GeoInfo | null {
  const g = e.ip ? geo(e.ip) : null;
  if (g && (g.lat !== undefined || g.country || g.reserved)) return g;
  if (e.country) return { country: e.country };
  return g;
}

export function placeName(g: GeoInfo | null | undefined): string {
  if (!g) return 'unknown location';
  if (g.reserved) return g.reserved;
  if (g.city && g.country) return `${g.city}, ${g.country}`;
  return g.country ?? 'unknown location';
}
