/**
 * Whether a principal is a machine (a service account, a job, a bot) rather than a person, from
 * its naming and roles: the checklist's actor kind and detectors that judge people's habits share it.
 */
const SERVICE_NAME =
  /^(?:svc|sa|srv|service|system|sys|app|bot|robot|daemon|batch|job|cron|ci|deploy)[-_.:@]|[-_.](?:svc|service|bot)(?:$|@)|service[-_]?account|serviceaccount|\.iam\.gserviceaccount\.com$/i;
const SERVICE_ROLE = /service|system|machine|integration/i;
/** An AWS principal ARN: its type and what follows (path and name, or role and session). */
const AWS_PRINCIPAL = /^arn:aws[a-z-]*:(?:iam|sts)::\d*:(user|role|assumed-role|federated-user)\/(.+)$/i;

export function isServiceName(name: string): boolean {
  const arn = AWS_PRINCIPAL.exec(name);
  if (arn === null) return SERVICE_NAME.test(name);
  const type = arn[1]!.toLowerCase();
  if (type === 'role') return true;
  if (type === 'assumed-role') return !personalSession(arn[2]!);
  // IAM and federation-token users: by the name's ending (backup-svc), as any other name; their
  // leading words are not read: an IAM user named ci-deployer stays a person to the checklist, whose
  // off-hours findings then keep its stolen key's night work in view (fixtures/incident-cloudtrail-probing.json).
  return SERVICE_NAME.test(name);
}

/**
 * A role's session is a machine's, except those people open: IAM Identity Center (SSO) sign-ins
 * (roles AWSReservedSSO_*) and federated sign-ins whose session is named by the person's email
 * (SAML, OIDC).
 */
function personalSession(roleAndSession: string): boolean {
  const slash = roleAndSession.indexOf('/');
  if (slash < 0) return false;
  return /^AWSReservedSSO_/i.test(roleAndSession.slice(0, slash)) || EMAIL.test(roleAndSession.slice(slash + 1));
}

/** A session named by an email address (terraform@ci-runner is not one). */
const EMAIL = /^[^@\s/]+@[^@\s/]+\.[a-z]{2,}$/i;

/**
 * A service account by name, or by a role that says so. An AWS principal is judged by its ARN
 * alone: CloudTrail lists the session's role ARN among the roles, and an SSO permission set named
 * SystemAdministrator is a person's.
 */
export function isServicePrincipal(user: string | undefined, roles: readonly string[] | undefined): boolean {
  if (user !== undefined && AWS_PRINCIPAL.test(user)) return isServiceName(user);
  return (user !== undefined && isServiceName(user)) || (roles !== undefined && roles.some((r) => SERVICE_ROLE.test(r)));
}
