/**
 * The gateway: the exchange's HTTP API (DOMAIN.md). See app.ts (assembly), auth.ts and
 * signing.ts (API keys and request signatures), validation.ts (request checks), errors.ts (the
 * answer code table), results.ts (publishing and waiting for verdicts), reads.ts (queries).
 */
export { BODY_LIMIT, buildGateway } from "./app.ts";
export { type ApiKeyRecord, authenticate, type ProvisionInput, provisionApiKey } from "./auth.ts";
export {
  type Envelope,
  ERRORS,
  type ErrorName,
  type ErrorSpec,
  GatewayError,
  rejectionKind,
} from "./errors.ts";
export type { BalanceView, OrderView, TradeView } from "./reads.ts";
export { POLL_FIRST_MS, POLL_MAX_MS, type Verdict } from "./results.ts";
export { cancelRequestId, PLACE_REQUEST_PREFIX, placeRequestId } from "./routes/orders.ts";
export type { TransferAnswer } from "./routes/transfers.ts";
export {
  canonicalQuery,
  HEADER_KEY,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  type QueryInput,
  type SignedRequest,
  type SignRequestInput,
  signingPayload,
  signRequest,
} from "./signing.ts";
export { LIMIT_DEFAULT, LIMIT_MAX } from "./validation.ts";
