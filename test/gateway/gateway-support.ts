import { GATEWAY_TEST_KEY, type Gateway } from '../../gateway/start-gateway';

export const AUTH = `Basic ${Buffer.from(`${GATEWAY_TEST_KEY}:`).toString('base64')}`;

/** POST a form like the official clients do. */
export async function postForm(gw: Gateway, method: string, form: Record<string, string>, auth = AUTH): Promise<Response> {
  return fetch(`${gw.url}/v0/${method}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

export async function getJson(gw: Gateway, pathAndQuery: string, auth = AUTH): Promise<{ status: number; body: unknown; res: Response }> {
  const res = await fetch(`${gw.url}${pathAndQuery}`, { headers: { authorization: auth } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
}

export const NQ_1H_ALL = {
  dataset: 'GLBX.MDP3',
  symbols: 'NQ.FUT',
  stype_in: 'parent',
  stype_out: 'instrument_id',
  schema: 'ohlcv-1h',
  start: '2010-06-06',
  end: '2026-01-01',
} as const;
