/**
 * Placeholder API keys for the local gateway, the demo and the tests. Deliberately not shaped like real keys
 * (a real Databento key is `db-` + 29 alphanumerics, a FRED key 32 lower-case alphanumerics): the dashes make
 * them unmistakable for credentials, to readers and to secret scanners alike. The label keeps leak-test
 * canaries distinct from each other.
 */
export const placeholderDatabentoKey = (label: string): string => `db-TEST-${label}-not-a-secret`;
export const placeholderFredKey = (label: string): string => `TEST-${label}-not-a-secret`;
