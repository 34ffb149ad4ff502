import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { ERROR_KINDS } from '../error-kinds';

/**
 * Where a webhook may go (docs/WEBHOOKS.md, "Targets"): `https` only, and only
 * to public unicast addresses, IPv4 and IPv6 alike. Every other range ipaddr.js
 * names is refused: private (10/8, 172.16/12, 192.168/16), loopback, link-local
 * (169.254/16 with the cloud metadata address, fe80::/10), unique-local
 * (fc00::/7), carrier-grade NAT, multicast, reserved, unspecified, and the
 * IPv6 forms that carry an IPv4 address inside (IPv4-mapped `::ffff:a.b.c.d`
 * is judged by its IPv4 address; NAT64, 6to4 and Teredo are refused outright,
 * their inner address being someone else's to route).
 *
 * The check runs on the addresses DNS answers, on every attempt, inside the
 * socket's own lookup: the address that was checked is the address connected
 * to, so a name that answers differently the second time (DNS rebinding)
 * changes nothing.
 */

export type TargetRefusal =
  | 'not_https'
  | 'credentials_in_url'
  | 'private_address'
  | 'unresolvable'
  | 'bad_url';

export class WebhookTargetError extends Error {
  readonly [ERROR_KINDS] = ['webhook_target'] as const;
  override readonly name = 'WebhookTargetError';
  constructor(
    readonly refusal: TargetRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface TargetPolicy {
  /** `PAGEWIRE_WEBHOOK_ALLOW_PRIVATE=1`: `http` and every address allowed (local development, tests). */
  readonly allowPrivate: boolean;
}

/** Why an address is refused, or null when it is a public unicast address. */
export function refusedAddressRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/** Checks a subscription URL's form (scheme, no credentials); its addresses are checked when it is sent to. */
export function checkTargetUrl(raw: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError('bad_url', 'The webhook URL is not a valid URL.');
  }
  const schemes = policy.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    throw new WebhookTargetError('not_https', 'Webhooks are delivered over https only.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new WebhookTargetError(
      'credentials_in_url',
      'The webhook URL must not carry a user name or password; deliveries are signed instead.',
    );
  }
  if (url.hash !== '') url.hash = '';
  if (!policy.allowPrivate) {
    const literal = hostLiteral(url.hostname);
    if (literal !== null) assertPublic(literal, url.hostname);
  }
  return url;
}

/** The IP address a URL's host names directly (`[::1]` → `::1`), or null for a DNS name. */
export function hostLiteral(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare))
    ? bare
    : null;
}

function assertPublic(address: string, host: string): void {
  const range = refusedAddressRange(address);
  if (range !== null) {
    throw new WebhookTargetError(
      'private_address',
      `Webhooks are not delivered to ${host}: it is a ${range} address, not a public one.`,
    );
  }
}

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const resolveWithSystemDns: Resolve = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http(s).request` that resolves the name, refuses it when any
 * answer is not public (a name that mixes public and private answers is not a
 * public name), and hands the socket exactly the addresses it checked.
 */
export function createGuardedLookup(policy: TargetPolicy, resolve: Resolve = resolveWithSystemDns) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname)
      .then((addresses) => {
        if (addresses.length === 0) {
          throw new WebhookTargetError('unresolvable', `${hostname} has no address.`);
        }
        if (!policy.allowPrivate) for (const answer of addresses) assertPublic(answer.address, hostname);
        const wanted =
          options.family === 4 || options.family === 6
            ? addresses.filter((answer) => answer.family === options.family)
            : addresses;
        if (wanted.length === 0) {
          throw new WebhookTargetError('unresolvable', `${hostname} has no IPv${options.family} address.`);
        }
        if (options.all === true) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      })
      .catch((error: unknown) => {
        const failure =
          error instanceof WebhookTargetError
            ? error
            : new WebhookTargetError('unresolvable', `${hostname} could not be resolved.`);
        callback(Object.assign(failure, { code: 'EWEBHOOKTARGET' }) as NodeJS.ErrnoException, '', 0);
      });
  };
}
