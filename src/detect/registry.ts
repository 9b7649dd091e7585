/** The built-in detectors, in report order. Other modules add theirs here. */
import type { Detector } from './types.js';
import { bolaEnumeration } from './detectors/bola-enumeration.js';
import { credentialStuffing } from './detectors/credential-stuffing.js';
import { dataExfiltration } from './detectors/data-exfiltration.js';
import { impossibleTravel } from './detectors/impossible-travel.js';
import { afterHoursAdmin } from './detectors/after-hours-admin.js';
import { scraping } from './detectors/scraping.js';
import { sensitiveDataInLogs } from './detectors/sensitive-data-in-logs.js';
import { attackSignature } from './detectors/attack-signature.js';
import { endpointProbing } from './detectors/endpoint-probing.js';
import { authorizationProbing } from './detectors/authorization-probing.js';

export const builtinDetectors: Detector[] = [
  bolaEnumeration,
  credentialStuffing,
  dataExfiltration,
  impossibleTravel,
  afterHoursAdmin,
  scraping,
  attackSignature,
  endpointProbing,
  authorizationProbing,
  sensitiveDataInLogs,
];

export function findDetector(id: string): Detector | undefined {
  return builtinDetectors.find((d) => d.meta.id === id);
}
