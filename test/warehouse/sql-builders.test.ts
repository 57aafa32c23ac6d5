import { describe, expect, it } from 'vitest';
import { bigQueryStagingMetadata, bigQueryTableMetadata } from '../../warehouse/bigquery/bigquery-table-metadata';
import { buildDiffSql, buildReplaceMergeSql } from '../../warehouse/bigquery/bigquery-merge-sql';
import { barTableSpec, coreTables, ingestLedgerTable, symbologyTable } from '../../warehouse/core-tables';
import { buildMergeSql } from '../../warehouse/merge-sql';
import { toDuckDbParams } from '../../warehouse/named-params';
import { canonicalDecimal, fixedToDecimal, stagingText } from '../../warehouse/row-values';
import { duckdbDialect, timestampText } from '../../warehouse/sql-dialect';
import { stagingName } from '../../warehouse/staging-name';

describe('BigQuery table metadata (the emulator stores but does not enforce it)', () => {
  it('partitions bar tables by size and clusters by symbol, ts_event', () => {
    const want = { 'ohlcv-1d': 'YEAR', 'ohlcv-1h': 'MONTH', 'ohlcv-1m': 'MONTH', 'ohlcv-1s': 'DAY' } as const;
    for (const [schema, granularity] of Object.entries(want)) {
      const md = bigQueryTableMetadata(barTableSpec(schema as keyof typeof want));
      expect(md.timePartitioning).toEqual({ type: granularity, field: 'ts_event' });
      expect(md.clustering).toEqual({ fields: ['symbol', 'ts_event'] });
      expect(md.requirePartitionFilter ?? false).toBe(schema === 'ohlcv-1s' || schema === 'ohlcv-1m');
    }
    const fields = bigQueryTableMetadata(barTableSpec('ohlcv-1h')).schema.fields;
    expect(fields.map((f) => `${f.name}:${f.type}:${f.mode}`)).toEqual([
      'ts_event:TIMESTAMP:REQUIRED', 'rtype:INT64:REQUIRED', 'publisher_id:INT64:REQUIRED', 'instrument_id:INT64:REQUIRED',
      'open:NUMERIC:REQUIRED', 'high:NUMERIC:REQUIRED', 'low:NUMERIC:REQUIRED', 'close:NUMERIC:REQUIRED',
      'volume:INT64:REQUIRED', 'symbol:STRING:NULLABLE', 'dataset:STRING:REQUIRED', 'chunk_id:STRING:REQUIRED', 'ingested_at:TIMESTAMP:REQUIRED',
    ]);
  });

  it('staging tables are all NULLABLE, unpartitioned, and expire', () => {
    const md = bigQueryStagingMetadata(barTableSpec('ohlcv-1h'), 0);
    expect(md.schema.fields.every((f) => f.mode === 'NULLABLE')).toBe(true);
    expect(md.timePartitioning).toBeUndefined();
    expect(md.expirationTime).toBe(String(24 * 3600 * 1000));
  });

  it('core tables have keys that exist among their columns', () => {
    for (const t of coreTables) {
      const names = new Set(t.columns.map((c) => c.name));
      for (const k of t.key) expect(names.has(k), `${t.name}.${k}`).toBe(true);
      for (const k of t.key) expect(t.columns.find((c) => c.name === k)!.nullable).toBe(false);
    }
    expect(ingestLedgerTable.key).toEqual(['chunk_id', 'series']);
    expect(symbologyTable.key).toContain('output_symbol');
  });
});

describe('SQL builders', () => {
  const spec = barTableSpec('ohlcv-1h');
  const scope = { column: 'ts_event', startLiteral: "TIMESTAMP '2010-07-01 00:00:00.000000+00'", endLiteral: "TIMESTAMP '2011-01-01 00:00:00.000000+00'" };

  it('the DuckDB MERGE matches on the key plus the constant scope and lists columns explicitly', () => {
    const sql = buildMergeSql({ dialect: duckdbDialect, spec, target: '"market_data"."t"', source: '"s"', scope });
    expect(sql).toContain('ON t."instrument_id" = s."instrument_id" AND t."ts_event" = s."ts_event" AND t."ts_event" >= ');
    expect(sql).toContain('WHEN MATCHED AND (t."rtype" IS DISTINCT FROM s."rtype"');
    expect(sql).not.toContain('IS DISTINCT FROM s."ingested_at"');
    expect(sql).toMatch(/WHEN NOT MATCHED THEN INSERT \("ts_event", .*"ingested_at"\) VALUES \(s\."ts_event", /);
    expect(sql).not.toMatch(/INSERT ROW/);
  });

  it('the BigQuery replace-MERGE deletes only diff keys inside the scope and inserts the diff', () => {
    const p = { spec, target: '`market_data.t`', staging: '`market_data.s`', diff: '`market_data.d`', scope };
    const merge = buildReplaceMergeSql(p);
    expect(merge).toContain('ON FALSE');
    expect(merge).toContain("WHEN NOT MATCHED BY SOURCE AND t.`ts_event` >= TIMESTAMP '2010-07-01");
    expect(merge).toContain('TO_JSON_STRING(STRUCT(t.`instrument_id`, t.`ts_event`)) IN (SELECT TO_JSON_STRING(STRUCT(x.`instrument_id`, x.`ts_event`)) FROM `market_data.d` AS x)');
    expect(buildDiffSql(p)).not.toContain('`chunk_id`');
  });

  it('translates @params but not inside strings, identifiers or comments', () => {
    expect(toDuckDbParams(`select @a, '@b', "@c", x@d -- @e\n, @f_1`)).toEqual({ sql: `select $a, '@b', "@c", x@d -- @e\n, $f_1`, names: ['a', 'f_1'] });
  });

  it('formats exact decimals and µs timestamps', () => {
    expect(fixedToDecimal(3702750000000n)).toBe('3702.75');
    expect(fixedToDecimal(-5500000000n)).toBe('-5.5');
    expect(fixedToDecimal(1n)).toBe('0.000000001');
    expect(canonicalDecimal('-0.000')).toBe('0');
    expect(timestampText(1609113600000000000n)).toBe('2020-12-28 00:00:00.000000');
    const col = { name: 'x', type: 'TIMESTAMP' as const };
    expect(() => stagingText(spec, col, 1609113600000000001n, 0)).toThrow(/sub-microsecond/);
    expect(stagingText(spec, { name: 'p', type: 'NUMERIC' }, '3702.750000000', 0)).toBe('3702.75');
    expect(() => stagingText(spec, { name: 'p', type: 'NUMERIC' }, '1.0000000001', 0)).toThrow(/decimal/);
  });

  it('staging names are safe identifiers, distinct per chunk', () => {
    const a = stagingName('databento_futures_ohlcv_1h', 'GLBX.MDP3/ohlcv-1h/NQ.FUT/2010H1');
    expect(a).toMatch(/^_stg_databento_futures_ohlcv_1h_GLBX_MDP3_ohlcv_1h_NQ_FUT_2010H1_[0-9a-f]{8}$/);
    expect(stagingName('t', 'a/b')).not.toBe(stagingName('t', 'a_b'));
  });
});
