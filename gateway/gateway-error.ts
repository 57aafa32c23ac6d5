/** Databento's business-error body: `{"detail": {case, message, status_code, docs, payload}}`. */
export interface BusinessErrorDetail {
  case: string;
  message: string;
  status_code: number;
  docs: string;
  payload: Record<string, unknown>;
}

const DOCS_BASE = 'https://databento.com/docs';

/**
 * An error the gateway answers with a Databento-shaped JSON body. `detail` is either the simple
 * string form (auth) or the business object form (validation, ranges, symbology).
 */
export class GatewayHttpError extends Error {
  override readonly name = 'GatewayHttpError';
  readonly code = 'GATEWAY_HTTP_ERROR' as const;
  constructor(
    readonly status: number,
    readonly detail: string | BusinessErrorDetail,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : `${detail.case}: ${detail.message}`);
  }

  body(): { detail: string | BusinessErrorDetail } {
    return { detail: this.detail };
  }
}

/** A 4xx/5xx with Databento's business `detail` object. */
export function businessError(
  status: number,
  errorCase: string,
  message: string,
  payload: Record<string, unknown> = {},
  docsPath = '/api-reference-historical/basics/errors',
): GatewayHttpError {
  return new GatewayHttpError(status, {
    case: errorCase,
    message,
    status_code: status,
    docs: `${DOCS_BASE}${docsPath}`,
    payload,
  });
}

export const AUTH_FAILED_DETAIL = 'Authorization failed: bad key.';
