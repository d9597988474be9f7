/**
 * Errors shaped like kafkajs 2.2.4's (src/errors.js, src/protocol/error.js): same class names in
 * `name`, the same `retriable` flag, `type`/`code` on protocol errors and `cause` on wrapping
 * errors, so engine code can classify a failure the same way against the real client and the
 * simulator. They are not the kafkajs classes (`instanceof` differs); code should test `name`,
 * `type` and `retriable`, never `instanceof`.
 */

export interface KafkaErrorOptions {
  retriable?: boolean;
  cause?: unknown;
}

function messageOf(e: unknown): string {
  if (typeof e === "string") return e;
  if (e !== null && typeof e === "object" && "message" in e)
    return String((e as { message: unknown }).message);
  return String(e);
}

export class KafkaJSError extends Error {
  retriable: boolean;
  override cause: unknown;

  constructor(e: unknown, opts: KafkaErrorOptions = {}) {
    super(messageOf(e));
    this.name = "KafkaJSError";
    this.retriable = opts.retriable ?? true;
    this.cause = opts.cause;
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(e: unknown, opts: { cause?: unknown } = {}) {
    super(e, { retriable: false, cause: opts.cause });
    this.name = "KafkaJSNonRetriableError";
  }
}

/** The broker's error codes the simulator can answer with (subset of kafkajs protocol/error.js). */
export const PROTOCOL_ERRORS = {
  OFFSET_OUT_OF_RANGE: {
    code: 1,
    retriable: false,
    message: "The requested offset is not within the range of offsets maintained by the server",
  },
  UNKNOWN_TOPIC_OR_PARTITION: {
    code: 3,
    retriable: true,
    message: "This server does not host this topic-partition",
  },
  INVALID_TOPIC_EXCEPTION: {
    code: 17,
    retriable: false,
    message: "The request attempted to perform an operation on an invalid topic",
  },
  ILLEGAL_GENERATION: { code: 22, retriable: false, message: "Specified group generation id is not valid" },
  UNKNOWN_MEMBER_ID: { code: 25, retriable: false, message: "The coordinator is not aware of this member" },
  REBALANCE_IN_PROGRESS: {
    code: 27,
    retriable: false,
    message: "The group is rebalancing, so a rejoin is needed",
  },
  TOPIC_ALREADY_EXISTS: { code: 36, retriable: false, message: "Topic with this name already exists" },
  INVALID_PARTITIONS: { code: 37, retriable: false, message: "Number of partitions is invalid" },
  OUT_OF_ORDER_SEQUENCE_NUMBER: {
    code: 45,
    retriable: false,
    message: "The broker received an out of order sequence number",
  },
} as const;

export type ProtocolErrorType = keyof typeof PROTOCOL_ERRORS;

export class KafkaJSProtocolError extends KafkaJSError {
  type: ProtocolErrorType;
  code: number;

  constructor(type: ProtocolErrorType) {
    const def = PROTOCOL_ERRORS[type];
    super(def.message, { retriable: def.retriable });
    this.name = "KafkaJSProtocolError";
    this.type = type;
    this.code = def.code;
  }
}

export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  retryCount: number;
  retryTime: number;

  constructor(e: unknown, opts: { retryCount: number; retryTime: number }) {
    super(e, { cause: e });
    this.name = "KafkaJSNumberOfRetriesExceeded";
    this.retryCount = opts.retryCount;
    this.retryTime = opts.retryTime;
  }
}

export class KafkaJSConnectionError extends KafkaJSError {
  broker: string | undefined;
  code: string | undefined;

  constructor(e: unknown, opts: { broker?: string; code?: string } = {}) {
    super(e);
    this.name = "KafkaJSConnectionError";
    this.broker = opts.broker;
    this.code = opts.code;
  }
}

export class KafkaJSRequestTimeoutError extends KafkaJSError {
  broker: string | undefined;
  correlationId: number | undefined;
  createdAt: number | undefined;
  sentAt: number | undefined;
  pendingDuration: number | undefined;

  constructor(
    e: unknown,
    opts: {
      broker?: string;
      correlationId?: number;
      createdAt?: number;
      sentAt?: number;
      pendingDuration?: number;
    } = {},
  ) {
    super(e);
    this.name = "KafkaJSRequestTimeoutError";
    this.broker = opts.broker;
    this.correlationId = opts.correlationId;
    this.createdAt = opts.createdAt;
    this.sentAt = opts.sentAt;
    this.pendingDuration = opts.pendingDuration;
  }
}

/** The simulated broker's address, as it appears in error messages. */
export const SIM_BROKER = "sim-kafka:9092";

export function connectionRefused(): KafkaJSConnectionError {
  return new KafkaJSConnectionError(`Connection error: connect ECONNREFUSED ${SIM_BROKER}`, {
    broker: SIM_BROKER,
    code: "ECONNREFUSED",
  });
}

export function requestTimeout(
  api: string,
  key: number,
  version: number,
  sentAtMs: number,
): KafkaJSRequestTimeoutError {
  return new KafkaJSRequestTimeoutError(`Request ${api}(key: ${key}, version: ${version}) timed out`, {
    broker: SIM_BROKER,
    createdAt: sentAtMs,
    sentAt: sentAtMs,
  });
}

/** kafkajs's `isRebalancing`: the errors after which a consumer rejoins its group. */
export function isRebalancing(e: unknown): boolean {
  const type = (e as { type?: unknown } | null)?.type;
  return (
    type === "REBALANCE_IN_PROGRESS" || type === "NOT_COORDINATOR_FOR_GROUP" || type === "ILLEGAL_GENERATION"
  );
}

const UNRECOVERABLE = ["RangeError", "ReferenceError", "SyntaxError", "TypeError"];

/** kafkajs's retrier rule: retried unless `retriable === false` or a programming error. */
export function isErrorRetriable(e: unknown): boolean {
  const err = e as { retriable?: unknown; name?: unknown } | null;
  if (err === null || typeof err !== "object") return true;
  return err.retriable !== false && !UNRECOVERABLE.includes(String(err.name));
}

/** The innermost `cause` (kafkajs's getOriginalCause). */
export function originalCause(e: unknown): unknown {
  let cur = e;
  for (let i = 0; i < 16; i++) {
    const c = (cur as { cause?: unknown } | null)?.cause;
    if (c === undefined || c === null || c === cur) return cur;
    cur = c;
  }
  return cur;
}
