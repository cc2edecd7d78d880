/**
 * The five file kinds of the data contract (docs/data-contract.md) and how drop file names map to them.
 */
export type FileKind = 'accounts' | 'payment_methods' | 'ip_addresses' | 'prompt_fingerprints' | 'activity';

export type FileFormat = 'csv' | 'ndjson';

export interface FileKindSpec {
  readonly kind: FileKind;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export const FILE_KINDS: Readonly<Record<FileKind, FileKindSpec>> = {
  accounts: {
    kind: 'accounts',
    required: ['account_id', 'created_at'],
    optional: ['email_domain', 'country', 'verified', 'plan'],
  },
  payment_methods: {
    kind: 'payment_methods',
    required: ['account_id', 'payment_fingerprint', 'first_seen', 'last_seen'],
    optional: ['card_bin', 'card_country'],
  },
  ip_addresses: {
    kind: 'ip_addresses',
    required: ['account_id', 'ip', 'first_seen', 'last_seen'],
    optional: ['requests', 'asn', 'is_proxy'],
  },
  prompt_fingerprints: {
    kind: 'prompt_fingerprints',
    required: ['account_id', 'fingerprint', 'first_seen', 'last_seen'],
    optional: ['count', 'capability', 'kind', 'markers'],
  },
  activity: {
    kind: 'activity',
    required: ['account_id', 'hour', 'requests'],
    optional: [],
  },
};

/** Load order inside a drop: accounts first so that their attributes land before observations. */
export const KIND_ORDER: readonly FileKind[] = ['accounts', 'payment_methods', 'ip_addresses', 'prompt_fingerprints', 'activity'];

const NAME = /^(accounts|payment_methods|ip_addresses|prompt_fingerprints|activity)\.(csv|ndjson)(\.gz)?$/;

/** Classify a drop file name, or undefined for a file that is not part of the contract. */
export function classifyFileName(name: string): { kind: FileKind; format: FileFormat; gzip: boolean } | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  return { kind: m[1] as FileKind, format: m[2] as FileFormat, gzip: m[3] !== undefined };
}
