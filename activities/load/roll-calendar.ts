import { allocOhlcvColumns } from '../../dbn/ohlcv-columns';
import { BAR_TABLE } from '../../domain/databento-enums';
import { type SeriesKey, seriesId } from '../../domain/series';
import { parseTimeNs } from '../../domain/time';
import { rollCalendarRows } from '../../futures/instrument-rows';
import { detectContinuousRolls } from '../../futures/rolls';
import { rollCalendarTable } from '../../warehouse/core-tables';
import { type PipelineDeps, withWarehouse } from '../deps';

/**
 * Rolls of a Databento continuous series, read from its loaded bars (an instrument_id change between consecutive
 * bars), into market_data.roll_calendar. Continuous prices are not back-adjusted: these are the seams.
 */
export async function updateRollCalendar(deps: PipelineDeps, series: SeriesKey): Promise<{ rolls: number }> {
  if (series.stypeIn !== 'continuous') return { rolls: 0 };
  return withWarehouse(deps, async (w) => {
    const bars = await w.query<{ instrument_id: string; ts_event: string }>(
      `select instrument_id, ts_event from market_data.${BAR_TABLE[series.schema]} where symbol = @symbol order by ts_event`,
      { symbol: series.symbol },
    );
    const columns = allocOhlcvColumns(bars.length);
    bars.forEach((b, i) => {
      columns.instrument_id[i] = Number(b.instrument_id);
      columns.ts_event[i] = parseTimeNs(b.ts_event);
    });
    const rolls = detectContinuousRolls(columns, seriesId(series));
    if (rolls.length) await w.upsertRows(rollCalendarTable, rollCalendarRows(rolls, { dataset: series.dataset, source: `bars of ${seriesId(series)}` }));
    deps.logger.info({ component: 'activities', series: seriesId(series), rolls: rolls.length }, 'roll calendar updated');
    return { rolls: rolls.length };
  });
}
