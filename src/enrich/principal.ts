/**
 * Whether a principal is a machine (a service account, a job, a bot) rather than a person, from
 * its naming and roles: the checklist's actor kind and detectors that judge people's habits share it.
 */
const SERVICE_NAME =
  /^(?:svc|sa|srv|service|system|sys|app|bot|robot|daemon|batch|job|cron|ci|deploy)[-_.:@]|[-_.](?:svc|service|bot)(?:$|@)|service[-_]?account|serviceaccount|\.iam\.gserviceaccount\.com$|:assumed-role\/|^arn:aws:iam::\d+:role\//i;
const SERVICE_ROLE = /service|system|machine|integration/i;

export function isServiceName(name: string): boolean {
  return SERVICE_NAME.test(name);
}

/** A service account by name, or by a role that says so. */
export function isServicePrincipal(user: string | undefined, roles: readonly string[] | undefined): boolean {
  return (user !== undefined && isServiceName(user)) || (roles !== undefined && roles.some((r) => SERVICE_ROLE.test(r)));
}
