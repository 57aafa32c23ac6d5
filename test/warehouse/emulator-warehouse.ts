import { BigQuery } from '@google-cloud/bigquery';
import { OAuth2Client } from 'google-auth-library';
import { createWarehouse, type Warehouse } from '../../warehouse';
import type { RunningBigQueryEmulator } from '../support/bigquery-emulator';

// the Node client must not see these (reference §3): the emulator is reached through apiEndpoint only
delete process.env.BIGQUERY_EMULATOR_HOST;
process.env.METADATA_SERVER_DETECTION = 'none';

/** Our BigQuery warehouse on the emulator; client retries off so an emulator 500 fails the test at once. */
export function openEmulatorWarehouse(emu: RunningBigQueryEmulator): Promise<Warehouse> {
  return createWarehouse({ kind: 'bigquery', projectId: emu.projectId, apiEndpoint: emu.endpoint, autoRetry: false } as Parameters<typeof createWarehouse>[0]);
}

/** A plain client for what a test sets up itself (the emulator has no CREATE SCHEMA). */
export function emulatorBigQuery(emu: RunningBigQueryEmulator): BigQuery {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'x', expiry_date: Date.now() + 3600_000 });
  return new BigQuery({ projectId: emu.projectId, apiEndpoint: emu.endpoint, authClient, retryOptions: { autoRetry: false } });
}
