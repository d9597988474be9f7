/**
 * Retrying I/O through the ports. The rule of the back-end services: an event is never dropped
 * with only a log line. A send or a write that fails is retried, with capped exponential backoff
 * through `clock.sleep` (virtual time in the simulator), until it succeeds. Only errors that can
 * never succeed on a retry (a malformed statement, say) are thrown: they are bugs, and the
 * process fails loudly instead of spinning.
 */
import type {
  Clock,
  Logger,
  Producer,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
  Store,
} from "../ports/index.ts";
import type { BatchStatement, CqlValue, QueryOptions, ResultSet } from "../ports/store.ts";

export interface Backoff {
  /** First delay (ms). */
  initialMs: number;
  /** Cap (ms). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 5, maxMs: 1_000 };

function errText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * cassandra-driver `types.responseErrorCodes` that no retry can fix: syntax error, unauthorized,
 * invalid query, config error, already exists, unprepared is retriable (re-prepare) so absent.
 */
const FATAL_RESPONSE_CODES = new Set([0x2000, 0x2100, 0x2200, 0x2300, 0x2400, 0x000a, 0x0100]);

/** True if retrying the same statement may succeed (timeouts, unavailable, overloaded, ...). */
export function isRetriableStoreError(err: unknown): boolean {
  if (!(err instanceof Error)) return true;
  if (err.name === "ArgumentError" || err instanceof TypeError || err instanceof RangeError) return false;
  const code = (err as { code?: unknown }).code;
  if (err.name === "ResponseError" && typeof code === "number" && FATAL_RESPONSE_CODES.has(code))
    return false;
  return true;
}

/**
 * True if retrying a Kafka request may succeed. kafkajs marks its errors with `retriable`;
 * anything the broker or network can cause (timeouts, not-leader, unavailable) is retriable.
 * We treat every error as retriable except programmer errors (TypeError/RangeError): giving up
 * would drop the event, and a permanent broker-side refusal shows up as a warning loop.
 */
export function isRetriableLogError(err: unknown): boolean {
  return !(err instanceof TypeError || err instanceof RangeError);
}

/**
 * Runs `op` until it succeeds, sleeping between attempts. `what` names the operation in logs.
 * Throws only errors `retriable` says no retry can fix.
 */
export async function retrying<T>(
  what: string,
  op: () => Promise<T>,
  clock: Clock,
  logger: Logger,
  retriable: (err: unknown) => boolean,
  backoff: Backoff = DEFAULT_BACKOFF,
): Promise<T> {
  let delay = backoff.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!retriable(err)) {
        logger.error(`${what}: failed permanently`, { attempt, error: errText(err) });
        throw err;
      }
      // One warning at the first failure and then every 10th, so a long outage is visible but quiet.
      if (attempt === 1 || attempt % 10 === 0)
        logger.warn(`${what}: retrying`, { attempt, error: errText(err) });
      await clock.sleep(delay);
      delay = Math.min(delay * 2, backoff.maxMs);
    }
  }
}

/**
 * Sends `record` until the broker acknowledges it. A send that timed out may have been appended
 * anyway, so a retry can duplicate messages: every consumer of the engine's topics dedupes.
 */
export function sendWithRetry(
  producer: Producer,
  record: ProducerRecord,
  clock: Clock,
  logger: Logger,
  backoff?: Backoff,
): Promise<RecordMetadata[]> {
  return retrying(
    `send to ${record.topic} (${record.messages.length} messages)`,
    () => producer.send(record),
    clock,
    logger,
    isRetriableLogError,
    backoff,
  );
}

/** Most bytes of message values (and keys) per send; real Kafka refuses batches over ~1 MB. */
export const MAX_SEND_BYTES = 256 * 1024;
/** Most messages per send. */
export const MAX_SEND_MESSAGES = 500;

/**
 * Sends `messages` to `topic` in order, split into sends of bounded size, each retried until it
 * is acknowledged. A crash between two chunks leaves a prefix appended: callers must be able to
 * resume from any prefix (they do: see engine/README.md).
 */
export async function sendAll(
  producer: Producer,
  topic: string,
  messages: ProducerRecord["messages"],
  clock: Clock,
  logger: Logger,
): Promise<void> {
  let i = 0;
  while (i < messages.length) {
    let bytes = 0;
    let j = i;
    while (j < messages.length && j - i < MAX_SEND_MESSAGES) {
      const size = sizeOf(messages[j]);
      if (j > i && bytes + size > MAX_SEND_BYTES) break;
      bytes += size;
      j++;
    }
    await sendWithRetry(producer, { topic, messages: messages.slice(i, j) }, clock, logger);
    i = j;
  }
}

const sizeOf = (m: ProducerRecord["messages"][number]) => m.value.length + m.key.length + 64;

/**
 * Sends several topics' messages, each topic's in order: in one request (kafkajs sendBatch,
 * retried until acknowledged) when they fit the send bounds together, else topic by topic
 * (`sendAll`, in the order given). Empty topics are left out.
 */
export async function sendTopics(
  producer: Producer,
  topicMessages: ProducerBatch["topicMessages"],
  clock: Clock,
  logger: Logger,
): Promise<void> {
  const present = topicMessages.filter((t) => t.messages.length > 0);
  if (present.length === 0) return;
  let count = 0;
  let bytes = 0;
  for (const t of present) {
    count += t.messages.length;
    for (const m of t.messages) bytes += sizeOf(m);
  }
  if (present.length === 1 || count > MAX_SEND_MESSAGES || bytes > MAX_SEND_BYTES) {
    for (const t of present) await sendAll(producer, t.topic, t.messages, clock, logger);
    return;
  }
  await retrying(
    `send to ${present.map((t) => t.topic).join(", ")} (${count} messages)`,
    () => producer.sendBatch({ topicMessages: present }),
    clock,
    logger,
    isRetriableLogError,
  );
}

/**
 * Executes an idempotent statement until the store acknowledges it. A write that timed out may
 * have been applied; retrying an idempotent write is harmless.
 */
export function executeWithRetry(
  store: Store,
  query: string,
  params: CqlValue[],
  clock: Clock,
  logger: Logger,
  options?: QueryOptions,
): Promise<ResultSet> {
  return retrying(
    `execute ${query.slice(0, 60)}`,
    () => store.execute(query, params, options),
    clock,
    logger,
    isRetriableStoreError,
  );
}

/** Runs an idempotent batch until acknowledged (a partly applied unlogged batch is simply re-run). */
export function batchWithRetry(
  store: Store,
  queries: BatchStatement[],
  clock: Clock,
  logger: Logger,
  options?: QueryOptions,
): Promise<ResultSet> {
  return retrying(
    `batch of ${queries.length}`,
    () => store.batch(queries, options),
    clock,
    logger,
    isRetriableStoreError,
  );
}

/** Connects `thing` (producer, consumer, admin, store), retrying until it works. */
export function connectWithRetry(
  what: string,
  thing: { connect(): Promise<void> },
  clock: Clock,
  logger: Logger,
): Promise<void> {
  return retrying(`connect ${what}`, () => thing.connect(), clock, logger, isRetriableLogError);
}

/** Runs `tasks` with at most `limit` in flight; resolves when all are done, rejects on the first failure. */
export async function runLimited(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const t = tasks[next++];
      await t();
    }
  };
  const workers: Promise<void>[] = [];
  for (let k = 0; k < Math.min(limit, tasks.length); k++) workers.push(worker());
  await Promise.all(workers);
}
