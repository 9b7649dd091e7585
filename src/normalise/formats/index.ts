/**
 * The format registry, in detection order: most specific signatures first (formats_data §1.4),
 * the flat alias table last. Order breaks ties between equal detection scores.
 */
import type { FormatModule } from '../format.js';
import { otel } from './otel.js';
import { cloudtrail } from './cloudtrail.js';
import { azureApim } from './azure-apim.js';
import { azureAppgw } from './azure-appgw.js';
import { azureFrontdoor } from './azure-frontdoor.js';
import { gcp } from './gcp.js';
import { cloudflare } from './cloudflare.js';
import { akamai } from './akamai.js';
import { traefik } from './traefik.js';
import { caddy } from './caddy.js';
import { kong } from './kong.js';
import { apigee } from './apigee.js';
import { ecs } from './ecs.js';
import { envoy } from './envoy.js';
import { apigateway } from './apigateway.js';
import { nginx } from './nginx.js';
import { djangoStructlog } from './django-structlog.js';
import { custom, flat } from './flat.js';

export const FORMATS: readonly FormatModule[] = [
  otel, cloudtrail, azureApim, azureAppgw, azureFrontdoor, gcp, cloudflare, akamai, traefik, caddy, kong, apigee, ecs, envoy, apigateway, nginx,
  djangoStructlog, flat,
];

export { custom, flat };

const BY_ID = new Map<string, FormatModule>([...FORMATS, custom].map((f) => [f.id, f]));

export function formatById(id: string): FormatModule | undefined {
  return BY_ID.get(id.toLowerCase());
}

export function formatIds(): string[] {
  return [...BY_ID.keys()];
}

/** The best-scoring format for one record (score >= 0.5; ties go to the earlier format), or undefined. */
export function bestFormat(rec: Record<string, unknown>, exclude?: FormatModule): { format: FormatModule; score: number } | undefined {
  let best: FormatModule | undefined;
  let bestScore = 0.5 - 1e-9;
  for (const f of FORMATS) {
    if (f === exclude) continue;
    const s = f.detect(rec);
    if (s > bestScore) {
      best = f;
      bestScore = s;
      if (s >= 1) break;
    }
  }
  return best === undefined ? undefined : { format: best, score: bestScore };
}
